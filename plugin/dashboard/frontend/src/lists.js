// Read-only sections from the referral side (referrals, rewards ledger, review queue,
// headline figures) and the audit log; each a table with filters and a clear empty state.

import { barChart } from "./chart.js";
import { clear, emptyState, errorState, h, money, when } from "./dom.js";

function table(columns, rows, id) {
  return h("table.table", { id }, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, columns.map((c) => h("td", { class: c.className || "" },
      c.render ? c.render(row) : row[c.key] ?? "—"))))));
}

async function loadInto(box, promise, render) {
  clear(box, h("div.muted", { role: "status" }, "Loading…"));
  try {
    clear(box, render(await promise));
  } catch (error) {
    clear(box, errorState(error));
  }
}

export function referralsSection(main, ctx) {
  const status = h("select.select", { id: "referral-status", "aria-label": "Status" },
    ["", "attributed", "converted", "review", "refused"].map((s) => h("option", { value: s }, s || "All statuses")));
  const box = h("div");
  const load = () => loadInto(box, ctx.api.get(`/referrals?status=${status.value}`), (data) =>
    data.referrals.length ? table([
      { label: "Referrer", key: "referrer" }, { label: "Friend", key: "referee" },
      { label: "Status", render: (r) => h("span.badge", { class: r.status }, r.status) },
      { label: "Order", key: "order" }, { label: "Reward", key: "reward" },
      { label: "When", render: (r) => when(r.created) }], data.referrals, "referrals")
      : emptyState("No referrals yet", "They appear when a friend checks out with a referral code."));
  status.addEventListener("change", load);
  clear(main, h("div.toolbar", {}, status), box);
  load();
}

export function rewardsSection(main, ctx) {
  const state = h("select.select", { id: "reward-state", "aria-label": "State" },
    ["", "pending", "review", "held", "issuing", "issued", "voided", "refused"].map((s) => h("option", { value: s }, s || "All states")));
  const who = h("input.input", { id: "reward-who", type: "search", placeholder: "E-mail", "aria-label": "Recipient e-mail" });
  const box = h("div");
  const load = () => loadInto(box, ctx.api.get(`/rewards?state=${state.value}&email=${encodeURIComponent(who.value)}`),
    (data) => data.rewards.length ? table([
      { label: "Recipient", key: "recipient" }, { label: "Reward", key: "reward" },
      { label: "State", render: (r) => h("span.badge", { class: r.state }, r.state) },
      { label: "Order", key: "order" }, { label: "Held until", render: (r) => when(r.hold_until) },
      { label: "Cause", key: "cause" }], data.rewards, "rewards")
      : emptyState("No rewards match", "Rewards are recorded when a rule gives one."));
  state.addEventListener("change", load);
  who.addEventListener("change", load);
  clear(main, h("div.toolbar", {}, state, who), box);
  load();
}

export function reviewSection(main, ctx) {
  const box = h("div");
  const decide = async (item, approve, reason = "") => {
    try {
      await ctx.api.post(`/review/${item.kind}/${item.id}`, { decision: approve ? "approve" : "reject", reason });
      ctx.bridge.notify("success", approve ? "Approved" : "Rejected", item.reward);
      load();
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  // Rejecting asks for a reason in place (the dashboard's iframe allows no prompt dialog).
  const askReason = (button, item) => {
    const input = h("input.input", { type: "text", placeholder: "Reason", "aria-label": "Reason for rejecting",
      maxlength: "240" });
    const form = h("form.inline-form", { onsubmit: (event) => {
      event.preventDefault();
      if (input.value.trim()) decide(item, false, input.value.trim());
      else input.focus();
    } }, input, h("button.button.small.primary", { type: "submit" }, "Reject"),
      h("button.button.small", { type: "button", onclick: () => form.replaceWith(button) }, "Cancel"));
    button.replaceWith(form);
    input.focus();
  };
  const load = () => loadInto(box, ctx.api.get("/review"), (data) => data.items.length ? table([
    { label: "What", render: (item) => h("span.badge", {}, item.kind) },
    { label: "Recipient", key: "recipient" }, { label: "Reward", key: "reward" },
    { label: "Why in review", key: "reason" }, { label: "Order", key: "order" },
    { label: "", className: "actions", render: (item) => [
      h("button.button.small.primary", { type: "button", onclick: () => decide(item, true) }, "Approve"), " ",
      h("button.button.small", { type: "button", onclick: (event) => askReason(event.currentTarget, item) },
        "Reject…")] }],
    data.items, "review") : emptyState("Nothing to review", "Rewards held for a person's look appear here."));
  clear(main, box);
  load();
}

const percentText = (value) => (value === null || value === undefined ? "—" : `${value}%`);

function figureCard([label, value, note]) {
  return h("div.card", {}, h("span.label", {}, label), h("strong", {}, value), h("small.note", {}, note));
}

function monthLabel(month) {
  const date = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? month
    : date.toLocaleString(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
}

function overviewFigures(data) {
  const orders = [
    ["Referred orders", String(data.referred_orders), "Paid orders placed through a referral."],
    ["Other orders", String(data.other_orders), "Paid orders without one (refused referrals count here)."],
    ["Average referred order", money(data.referred_average), "Referred revenue ÷ referred orders."],
    ["Average other order", money(data.other_average), "Other revenue ÷ other orders."],
    ["Referred revenue", money(data.referred_revenue), "Total of the referred orders."],
    ["Reward cost", money(data.reward_cost), "Rewards pending, in review, held or issued."],
    ["Reward cost / referred revenue", data.cost_share === null ? "—" : `${data.cost_share}%`,
      "What each unit of referred revenue cost in rewards."]];
  const customers = [
    ["Referred customers", String(data.referred_customers), "Customers whose first paid order was referred."],
    ["Other customers", String(data.other_customers), "Customers whose first paid order was not."],
    ["Repeat rate, referred", percentText(data.referred_repeat_rate),
      "Share of referred customers with 2 or more paid orders."],
    ["Repeat rate, others", percentText(data.other_repeat_rate), "Share of other customers with 2 or more paid orders."],
    ["Value per referred customer", money(data.referred_customer_value),
      "Their paid revenue to date ÷ referred customers."],
    ["Value per other customer", money(data.other_customer_value), "Their paid revenue to date ÷ other customers."],
    ["Referred vs other value", percentText(data.customer_value_difference),
      "How much more (or less) a referred customer is worth."],
    ["Cost per acquired customer", money(data.cost_per_customer), "Reward cost ÷ referred customers."]];
  const months = data.new_referred_by_month || [];
  return h("div", { id: "overview" },
    h("h2", {}, "Orders"), h("div.cards", { id: "overview-orders" }, orders.map(figureCard)),
    h("h2", {}, "Customers"), h("div.cards", { id: "overview-customers" }, customers.map(figureCard)),
    h("h2", {}, "New referred customers per month"),
    h("div.chart-box", { id: "overview-months" }, barChart({
      title: "New referred customers in each of the last six months",
      groups: months.map((m) => ({ label: monthLabel(m.month), values: [m.customers] })),
      series: [{ name: "New referred customers", className: "draft" }],
      format: (v) => (Number.isInteger(v) ? String(v) : ""), // counts: no half-customer ticks
    }), h("small.note", {}, "Customers whose first paid order, a referred one, fell in that month.")),
    data.other_currency_orders
      ? h("p.muted", {}, `Figures are in ${data.currency}; ${data.other_currency_orders} paid orders in other currencies are not counted.`)
      : h("p.muted", {}, `Figures are in ${data.currency}, from paid orders that were not cancelled.`),
    skippedOrders(data.skipped_orders));
}

// Orders the program could not decide on (another currency): counted by reason, not retried.
function skippedOrders(rows) {
  if (!rows || !rows.length) return null;
  return h("div", { id: "overview-skipped" }, h("h2", {}, "Orders the program skipped"),
    h("ul", {}, rows.map((row) => h("li", {}, `${row.orders} ${row.orders === 1 ? "order" : "orders"}: ${row.reason}`))),
    h("small.note", {}, "No reward was decided on these orders. A program decides only on orders in its own currency."));
}

export function overviewSection(main, ctx) {
  const box = h("div");
  loadInto(box, ctx.api.get("/overview"), (data) => (data.currency === null
    ? h("div", {}, emptyState("No paid orders yet", "Figures appear once the shop's orders are paid."),
      skippedOrders(data.skipped_orders))
    : overviewFigures(data)));
  clear(main, box);
}

export function auditSection(main, ctx) {
  const box = h("div");
  loadInto(box, ctx.api.get("/audit"), (data) => data.entries.length ? table([
    { label: "When", render: (e) => when(e.at) }, { label: "Who", key: "actor" },
    { label: "What", key: "action_label" }, { label: "Object", key: "object" },
    { label: "Details", render: (e) => h("code", {}, JSON.stringify(e.details)) }], data.entries, "audit")
    : emptyState("No changes yet"));
  clear(main, box);
}
