// The Backtest section: run the draft and the program it is compared with (the live version, an
// earlier version or another draft) over the shop's last N orders as a background job, poll its
// progress, and show both side by side: cost, orders rewarded, referred revenue, customers
// acquired, per rule, with the difference and charts.

import { barChart } from "./chart.js";
import { clear, emptyState, errorState, h } from "./dom.js";

const POLL_MS = 700;

function amountOf(value) { return value ? Number(value.amount) : 0; }
function moneyText(value) { return value ? `${value.amount} ${value.currency}` : "—"; }
function signed(text) { return text && !String(text).startsWith("-") && Number.parseFloat(text) !== 0 ? `+${text}` : String(text); }
function moneyDelta(value) { return value ? `${signed(value.amount)} ${value.currency}` : "—"; }

// The figures of both programs, a row each: [label, draft, compared, difference, note].
const FIGURES = [
  ["Reward cost", (p) => moneyText(p.cost), (d) => moneyDelta(d.cost)],
  ["Points given", (p) => String(p.points), (d) => signed(d.points)],
  ["Orders rewarded", (p) => String(p.rewarded_orders), (d) => signed(d.rewarded_orders)],
  ["Referred revenue rewarded", (p) => moneyText(p.referred_revenue), (d) => moneyDelta(d.referred_revenue)],
  ["Customers acquired", (p) => String(p.acquired), (d) => signed(d.acquired)],
  ["Cost per acquired customer", (p) => moneyText(p.cost_per_acquired), (d) => moneyDelta(d.cost_per_acquired)],
];

function figuresTable(draft, other, delta) {
  const head = ["", "Draft", other ? other.label : "", other ? "Difference" : ""].filter((t, i) => i < 2 || other);
  return h("table.table", { id: "backtest-figures" },
    h("thead", {}, h("tr", {}, head.map((t) => h("th", {}, t)))),
    h("tbody", {}, FIGURES.map(([label, show, change]) => h("tr", {},
      h("th", { scope: "row" }, label), h("td.num", {}, show(draft)),
      other ? h("td.num", {}, show(other)) : null,
      other ? h("td.num", { class: "difference" }, change(delta)) : null))));
}

function resultView(job) {
  const result = job.result || {};
  const draft = result.draft || {};
  const other = result.compared || null;
  const currency = result.currency || "";
  const rules = result.rules || [];
  const delta = result.difference || null;
  const name = other ? other.label : "";
  const series = [{ name: "Draft", className: "draft" }, ...(other ? [{ name, className: "live" }] : [])];
  const pair = (a, b) => (other ? [a, b] : [a]);
  return h("div.backtest-result", { id: "backtest-result" },
    h("div.cards", {},
      h("div.card", {}, h("span.label", {}, "Orders"), h("strong", {}, String(result.orders ?? job.processed))),
      h("div.card", {}, h("span.label", {}, "Reward cost (draft)"),
        h("strong", { id: "draft-cost" }, `${draft.cost ? draft.cost.amount : "0"} ${currency}`)),
      h("div.card", {}, h("span.label", {}, other ? `Reward cost (${name})` : "Compared with"),
        h("strong", { id: "compared-cost" }, other ? `${other.cost.amount} ${currency}` : "nothing")),
      h("div.card", {}, h("span.label", {}, "Difference"),
        h("strong", { id: "cost-difference" }, delta ? moneyDelta(delta.cost) : "—"))),
    figuresTable(draft, other, delta),
    h("p.muted", {}, "Both programs ran on the same orders. Referred revenue counts the referred orders a program "
      + "rewards; a customer is acquired when it rewards a referred friend's first order. History cannot tell "
      + "how many more friends another incentive would have brought."),
    h("div.chart-box", {}, barChart({
      title: other ? `Cost and referred revenue: draft against ${name}` : "Cost and referred revenue of the draft",
      groups: [
        { label: "Reward cost", values: pair(amountOf(draft.cost), amountOf(other?.cost)) },
        { label: "Referred revenue", values: pair(amountOf(draft.referred_revenue), amountOf(other?.referred_revenue)) },
        { label: "Per customer", values: pair(amountOf(draft.cost_per_acquired), amountOf(other?.cost_per_acquired)) },
      ],
      series, format: (v) => v.toFixed(0),
    })),
    rules.length
      ? [h("div.chart-box", {}, barChart({
          title: other ? `Reward cost per rule: draft against ${name}` : "Reward cost per rule",
          groups: rules.map((r) => ({ label: r.rule, values: pair(amountOf(r.draft_cost), amountOf(r.compared_cost)) })),
          series, format: (v) => v.toFixed(0),
        })),
        h("table.table", { id: "backtest-rules" }, h("thead", {}, h("tr", {},
          ["Rule", "Fired (draft)", "Cost (draft)", ...(other ? [`Fired (${name})`, `Cost (${name})`, "Difference"] : [])]
            .map((t) => h("th", {}, t)))),
          h("tbody", {}, rules.map((r) => h("tr", {}, h("td", {}, r.rule), h("td.num", {}, String(r.draft_count)),
            h("td.num", {}, r.draft_cost.amount),
            other ? [h("td.num", {}, String(r.compared_count)), h("td.num", {}, r.compared_cost.amount),
              h("td.num", { class: "difference" }, signed(r.difference_cost.amount))] : null))))]
      : emptyState("No rule gave a reward on these orders"),
    (result.skipped || 0) ? h("p.muted", {}, `${result.skipped} orders were skipped (other currency or unreadable).`) : null,
    saleorErrors(result));
}

// Orders Saleor answered with an error for: skipped, named, and the rest still counted.
function saleorErrors(result) {
  const errors = result.saleor_errors || [];
  if (!errors.length) return null;
  return h("div.warning-box", { id: "backtest-saleor-errors", role: "status" },
    h("strong", {}, `${result.saleor_error_count} order(s) left out: Saleor answered with an error for them`),
    h("ul", {}, errors.map((e) => h("li", {}, `#${e.number || e.id || "?"}: ${e.reason}`))));
}

export function backtestSection(main, ctx) {
  let timer = null;
  const count = h("input.input", { id: "backtest-n", type: "number", min: "1", max: "5000", value: "200" });
  const source = h("select.select", { id: "backtest-source" },
    h("option", { value: "stored" }, "Orders the app recorded"),
    h("option", { value: "saleor" }, "Orders fetched from Saleor"));
  const assume = h("input", { id: "backtest-assume", type: "checkbox" });
  const compare = h("select.select", { id: "backtest-compare", "aria-label": "Compare the draft with" },
    h("option", { value: "live" }, "Compare with the live version"),
    h("option", { value: "none" }, "Compare with nothing"),
    h("option", { value: "source" }, "Compare with another draft…"));
  const otherDraft = h("textarea.input.code", { id: "backtest-other-draft", rows: "8", hidden: true,
    "aria-label": "The other draft", spellcheck: "false",
    placeholder: "Paste the program to compare the draft with" });
  compare.addEventListener("change", () => { otherDraft.hidden = compare.value !== "source"; });
  ctx.api.get("/program").then((data) => {
    const chosen = compare.value;
    const wanted = (ctx.cache.backtestForm || {}).compare || "";
    for (const v of data.versions || []) compare.append(h("option", { value: `v${v.number}` }, `Compare with version ${v.number}`));
    compare.value = wanted.startsWith("v") && chosen === "live" ? wanted : chosen;
    if (!compare.value) compare.value = "live"; // a version no longer listed
  }).catch(() => {}); // the versions are a convenience: live, nothing and another draft still work
  const progress = h("div.progress", { hidden: true },
    h("progress", { id: "backtest-progress", max: "100", value: "0" }), h("span.muted", { id: "backtest-label" }));
  const output = h("div", {}, emptyState("No backtest yet",
    "Runs the editor's draft over recent orders, beside the live version or another program."));

  const poll = async (id) => {
    try {
      const job = await ctx.api.get(`/backtests/${id}`);
      const bar = progress.querySelector("progress");
      bar.max = Math.max(1, job.total || job.requested);
      bar.value = job.processed;
      progress.querySelector("span").textContent = ` ${job.processed} of ${job.total || job.requested} orders`;
      ctx.cache.backtest = job; // another section and back shows it again (or keeps polling)
      if (job.status === "done") { progress.hidden = true; clear(output, resultView(job)); return; }
      if (job.status === "failed") { progress.hidden = true; clear(output, errorState(new Error(job.error))); return; }
      timer = setTimeout(() => poll(id), POLL_MS);
    } catch (error) {
      clear(output, errorState(error));
    }
  };

  const start = async () => {
    const draft = ctx.editor ? ctx.editor.getSource() : null;
    clear(output);
    try {
      const versus = compare.value.startsWith("v") ? Number.parseInt(compare.value.slice(1), 10) : compare.value;
      const job = await ctx.api.post("/backtests", { count: Number.parseInt(count.value, 10),
        source: source.value, assume_referred: assume.checked, compare: versus,
        ...(versus === "source" ? { compare_source: otherDraft.value } : {}),
        ...(draft !== null ? { draft } : {}) });
      ctx.cache.backtest = job;
      ctx.cache.backtestForm = { count: count.value, source: source.value, assume: assume.checked,
        compare: compare.value, other: otherDraft.value };
      progress.hidden = false;
      poll(job.id);
    } catch (error) {
      clear(output, errorState(error));
    }
  };

  clear(main,
    h("div.toolbar", {},
      h("div.field.inline", {}, h("label", { for: "backtest-n" }, "Last"), count, h("span", {}, "orders")),
      source,
      h("label.check", { for: "backtest-assume" }, assume, "Treat every order as referred"),
      compare,
      h("button.button.primary", { type: "button", id: "run-backtest", onclick: start }, "Run backtest")),
    otherDraft, progress, output);

  // The last backtest stays when the merchant looks at another section and comes back.
  const last = ctx.cache.backtest;
  const form = ctx.cache.backtestForm;
  if (form) {
    count.value = form.count; source.value = form.source; assume.checked = form.assume;
    otherDraft.value = form.other || "";
    if (["live", "none", "source"].includes(form.compare)) compare.value = form.compare;
    otherDraft.hidden = compare.value !== "source";
  }
  if (last && last.status === "done") clear(output, resultView(last));
  else if (last && last.status === "failed") clear(output, errorState(new Error(last.error)));
  else if (last) { progress.hidden = false; poll(last.id); }
  return () => clearTimeout(timer);
}
