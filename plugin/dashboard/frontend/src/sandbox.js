// The sandbox: facts the merchant edits in a form (or takes from a recent order of the shop),
// run against the editor's draft; shows the decision, each rule's explanation and the hint.

import { clear, emptyState, errorState, h } from "./dom.js";

const TRIGGERS = ["checkout", "order created", "order paid", "order fulfilled", "order cancelled",
  "order refunded", "customer created", "customer asleep", "first order in channel"];

export function defaultFacts() {
  return {
    trigger: "order paid", channel: "default-channel", currency: "USD",
    order: { total: "120.00", subtotal: "110.00", shipping: "10.00", voucher_code: "",
             lines: [{ product: "t-shirt", sku: "TS-1", category: "apparel", quantity: 2, unit_price: "55.00" }] },
    customer: { email: "friend@example.com", orders: 0, orders_in_channel: 0, total_spent: "0.00" },
    referral: { is_referred: true, code: "ANN10", days_since: 3,
                referrer: { email: "ann@example.com", orders: 4, paid_referrals: 1, referrals: 2 } },
  };
}

function input(label, value, onInput, attrs = {}) {
  const id = `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const control = h("input.input", { id, value: value ?? "", ...attrs });
  control.addEventListener("input", () => onInput(attrs.type === "checkbox" ? control.checked : control.value));
  if (attrs.type === "checkbox") {
    control.checked = Boolean(value);
    return h("label.check", { for: id }, control, label);
  }
  return h("div.field", {}, h("label", { for: id }, label), control);
}

// The shop's segments (as `customer.segment` and `referrer.segment` read them); "" is none yet.
const SEGMENTS = [["", "none yet"], ["champions", "champions"], ["loyal", "loyal"], ["new", "new"],
  ["promising", "promising"], ["at_risk", "at risk"], ["asleep", "asleep"]];

function segmentSelect(label, value, onChange) {
  const id = `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const control = h("select.select", { id }, SEGMENTS.map(([name, text]) =>
    h("option", { value: name, selected: name === (value || "") }, text)));
  control.addEventListener("change", () => onChange(control.value));
  return h("div.field", {}, h("label", { for: id }, label), control);
}

function numberOr(value, fallback = 0) {
  const parsed = Number.parseInt(value, 10);
  return Number.isNaN(parsed) ? fallback : parsed;
}

function factsForm(container, facts, onChange) {
  const set = (fn) => (value) => { fn(value); onChange(facts); };
  const linesBox = h("div.lines");
  const renderLines = () => {
    clear(linesBox, facts.order.lines.map((line, index) => h("div.line-row", {},
      input(`Line ${index + 1} product`, line.product, set((v) => { line.product = v; })),
      input(`Line ${index + 1} SKU`, line.sku, set((v) => { line.sku = v; })),
      input(`Line ${index + 1} category`, line.category, set((v) => { line.category = v; })),
      input(`Line ${index + 1} quantity`, line.quantity, set((v) => { line.quantity = numberOr(v, 1); }),
        { type: "number", min: "1" }),
      input(`Line ${index + 1} unit price`, line.unit_price, set((v) => { line.unit_price = v; }),
        { inputmode: "decimal" }),
      h("button.button.small", { type: "button", "aria-label": `Remove line ${index + 1}`,
        onclick: () => { facts.order.lines.splice(index, 1); renderLines(); onChange(facts); } }, "Remove"))),
      h("button.button.small", { type: "button", onclick: () => {
        facts.order.lines.push({ product: "", sku: "", category: "", quantity: 1, unit_price: "0.00" });
        renderLines(); onChange(facts);
      } }, "Add line"));
  };
  renderLines();
  const trigger = h("select.select", { id: "f-trigger" }, TRIGGERS.map((t) =>
    h("option", { value: t, selected: t === facts.trigger }, t)));
  trigger.addEventListener("change", () => { facts.trigger = trigger.value; onChange(facts); });
  clear(container,
    h("fieldset", {}, h("legend", {}, "Event"),
      h("div.field", {}, h("label", { for: "f-trigger" }, "Trigger"), trigger),
      input("Channel", facts.channel, set((v) => { facts.channel = v; })),
      input("Currency", facts.currency, set((v) => { facts.currency = v.toUpperCase(); }), { maxlength: "3" })),
    h("fieldset", {}, h("legend", {}, "Order"),
      input("Order total", facts.order.total, set((v) => { facts.order.total = v; }), { inputmode: "decimal" }),
      input("Subtotal", facts.order.subtotal, set((v) => { facts.order.subtotal = v; }), { inputmode: "decimal" }),
      input("Shipping", facts.order.shipping, set((v) => { facts.order.shipping = v; }), { inputmode: "decimal" }),
      linesBox),
    h("fieldset", {}, h("legend", {}, "Customer"),
      input("Customer e-mail", facts.customer.email, set((v) => { facts.customer.email = v; })),
      input("Earlier orders", facts.customer.orders, set((v) => { facts.customer.orders = numberOr(v); }),
        { type: "number", min: "0" }),
      input("Earlier orders in this channel", facts.customer.orders_in_channel, set((v) => {
        facts.customer.orders_in_channel = numberOr(v);
      }), { type: "number", min: "0" }),
      input("Total spent", facts.customer.total_spent, set((v) => { facts.customer.total_spent = v; }),
        { inputmode: "decimal" }),
      input("Periods missed", facts.customer.periods_missed, set((v) => {
        facts.customer.periods_missed = numberOr(v);
      }), { type: "number", min: "0" }),
      segmentSelect("Customer segment", facts.customer.segment,
        set((v) => { facts.customer.segment = v; }))),
    h("fieldset", {}, h("legend", {}, "Referral"),
      input("Referred", facts.referral.is_referred, set((v) => { facts.referral.is_referred = v; }),
        { type: "checkbox" }),
      input("Referral code", facts.referral.code, set((v) => { facts.referral.code = v; })),
      input("Days since referral", facts.referral.days_since,
        set((v) => { facts.referral.days_since = numberOr(v); }), { type: "number", min: "0" }),
      input("Referrer orders", facts.referral.referrer.orders,
        set((v) => { facts.referral.referrer.orders = numberOr(v); }), { type: "number", min: "0" }),
      input("Referrer paid referrals", facts.referral.referrer.paid_referrals,
        set((v) => { facts.referral.referrer.paid_referrals = numberOr(v); }), { type: "number", min: "0" }),
      segmentSelect("Referrer segment", facts.referral.referrer.segment,
        set((v) => { facts.referral.referrer.segment = v; }))),
    // what the program's limits and budgets already counted: the app reads them from its ledger
    h("fieldset", {}, h("legend", {}, "Already counted this month"),
      input("Referrer rewards this month", facts.referral.referrer.rewards_this_month || 0,
        set((v) => { facts.referral.referrer.rewards_this_month = numberOr(v); }), { type: "number", min: "0" }),
      input("Program spent this month", ((facts.usage || {}).spent || {}).month || "", set((v) => {
        if (v.trim()) facts.usage = { spent: { month: v.trim() } };
        else delete facts.usage;
      }), { inputmode: "decimal" })));
}

function decisionView(data, goTo) {
  const decision = data.decision || {};
  const rewards = decision.rewards || [];
  const trace = decision.trace || [];
  const hints = decision.hints || [];
  // decided but not given: over a money bound (review), or cut by a limit or a budget
  const withheld = [...(decision.refused || []).map((r) => ({ ...r, what: "to review" })),
                    ...(decision.cut || []).map((r) => ({ ...r, what: "cut" }))];
  return h("div.decision", { id: "decision" },
    h("h3", {}, "Decision"),
    rewards.length
      ? h("table.table", {}, h("thead", {}, h("tr", {}, ["Who", "Gets", "Held until", "Rule"].map((t) => h("th", {}, t)))),
          h("tbody", {}, rewards.map((r) => h("tr", {},
            h("td", {}, r.recipient),
            h("td", { class: "reward" }, r.describe.replace(`${r.recipient} gets `, "")),
            h("td", {}, r.held_until || "not held"),
            h("td", {}, h("button.link", { type: "button", onclick: () => goTo(r.line, 1) }, r.rule))))))
      : emptyState("Nobody gets anything", "No rule gave a reward for these facts."),
    withheld.length ? h("ul.withheld", { id: "withheld", "aria-label": "Not given" },
      withheld.map((r) => h("li", {}, h("span.badge", { class: "warning" }, r.what), ` ${r.describe}: `,
        h("span.muted", {}, r.reason)))) : null,
    hints.length ? h("div.hint-box", { role: "note" }, h("strong", {}, "Nearest miss: "),
      hints.join(" · ")) : null,
    h("h3", {}, "Why"),
    trace.length
      ? h("ul.trace", {}, trace.map((step) => {
          const outcome = step.held === true ? "held" : step.held === false ? "failed" : step.kind;
          return h("li", { class: `step ${outcome}` },
            h("span.badge", { class: step.held === true ? "success" : step.held === false ? "critical" : "neutral" },
              outcome),
            h("button.link", { type: "button", onclick: () => goTo(step.line, step.column) }, `${step.line}:${step.column}`),
            h("code", {}, step.text),
            step.value ? h("span.values", {}, step.value) : null);
        }))
      : emptyState("No rule ran for this trigger"));
}

export function sandboxPanel(container, ctx, editor) {
  let facts = ctx.cache.sandboxFacts || defaultFacts();
  const form = h("form.facts-form", { onsubmit: (event) => { event.preventDefault(); run(); } });
  const result = h("div.sandbox-result", { "aria-live": "polite" });
  const orderSelect = h("select.select", { id: "recent-orders", "aria-label": "Use a recent order" },
    h("option", { value: "" }, "Use a recent order of the shop…"));
  const ordersNote = h("p.status", { id: "recent-orders-note", role: "status" });
  const remember = (next) => { facts = next; ctx.cache.sandboxFacts = next; };

  const run = async () => {
    clear(result, h("div.muted", {}, "Running…"));
    try {
      const data = await ctx.api.post("/sandbox", { source: editor.getSource(), facts });
      clear(result, decisionView(data, (line, column) => editor.goTo(line, column)));
    } catch (error) {
      clear(result, errorState(error));
    }
  };

  const loadOrders = async () => {
    orderSelect.disabled = true;
    try {
      const data = await ctx.api.get("/orders/recent");
      ctx.cache.recentOrders = data.orders;
      if (!data.orders.length) orderSelect.append(h("option", { value: "", disabled: true }, "No recent orders"));
      for (const order of data.orders) orderSelect.append(h("option", { value: order.id }, order.label));
      // Orders Saleor answered with an error for are left out and named, never hidden.
      const unreadable = data.unreadable || [];
      for (const order of unreadable) {
        orderSelect.append(h("option", { value: "", disabled: true },
          `#${order.number || "?"} · left out: ${order.reason}`));
      }
      ordersNote.dataset.tone = unreadable.length ? "critical" : "";
      ordersNote.textContent = unreadable.length
        ? `${unreadable.length} recent order(s) left out. ${unreadable[0].reason}` : "";
    } catch (error) {
      orderSelect.append(h("option", { value: "", disabled: true }, `Orders unavailable: ${error.message}`));
      ordersNote.dataset.tone = "critical";
      ordersNote.textContent = error.message;
    } finally {
      orderSelect.disabled = false;
    }
  };
  orderSelect.addEventListener("change", () => {
    const order = (ctx.cache.recentOrders || []).find((o) => o.id === orderSelect.value);
    if (!order) return;
    remember(order.facts);
    factsForm(form, facts, remember);
    run();
  });

  factsForm(form, facts, remember);
  clear(container,
    h("div.panel-actions", {}, orderSelect,
      h("button.button.primary", { type: "button", id: "run-sandbox", onclick: run }, "Run")),
    ordersNote, result, form);
  loadOrders();
}
