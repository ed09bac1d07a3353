// The Backtest section: run the draft over the shop's last N orders as a background job,
// poll its progress, and show projected cost, counts per rule and the difference to the live version.

import { barChart } from "./chart.js";
import { clear, emptyState, errorState, h } from "./dom.js";

const POLL_MS = 700;

function amountOf(value) { return value ? Number(value.amount) : 0; }

function resultView(job) {
  const result = job.result || {};
  const draft = result.draft || {};
  const live = result.published || null;
  const currency = result.currency || "";
  const rules = result.rules || [];
  const delta = result.difference || null;
  return h("div.backtest-result", { id: "backtest-result" },
    h("div.cards", {},
      h("div.card", {}, h("span.label", {}, "Orders"), h("strong", {}, String(result.orders ?? job.processed))),
      h("div.card", {}, h("span.label", {}, "Projected cost (draft)"),
        h("strong", { id: "draft-cost" }, `${draft.cost ? draft.cost.amount : "0"} ${currency}`)),
      h("div.card", {}, h("span.label", {}, live ? `Live version ${live.number}` : "Live version"),
        h("strong", {}, live ? `${live.cost.amount} ${currency}` : "none")),
      h("div.card", {}, h("span.label", {}, "Difference"),
        h("strong", {}, delta ? `${delta.cost.amount} ${currency}` : "—")),
      h("div.card", {}, h("span.label", {}, "Orders rewarded (draft)"), h("strong", {}, String(draft.rewarded_orders ?? 0)))),
    rules.length
      ? [h("div.chart-box", {}, barChart({
          title: "Reward cost per rule: draft against the live version",
          groups: rules.map((r) => ({ label: r.rule, values: [amountOf(r.draft_cost), amountOf(r.published_cost)] })),
          series: [{ name: "Draft", className: "draft" }, { name: "Live", className: "live" }],
          format: (v) => v.toFixed(0),
        })),
        h("table.table", {}, h("thead", {}, h("tr", {}, ["Rule", "Fired (draft)", "Cost (draft)", "Fired (live)", "Cost (live)"]
          .map((t) => h("th", {}, t)))),
          h("tbody", {}, rules.map((r) => h("tr", {}, h("td", {}, r.rule), h("td.num", {}, String(r.draft_count)),
            h("td.num", {}, r.draft_cost.amount), h("td.num", {}, String(r.published_count)),
            h("td.num", {}, r.published_cost.amount)))))]
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
  const progress = h("div.progress", { hidden: true },
    h("progress", { id: "backtest-progress", max: "100", value: "0" }), h("span.muted", { id: "backtest-label" }));
  const output = h("div", {}, emptyState("No backtest yet", "Runs the editor's draft over recent orders."));

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
      const job = await ctx.api.post("/backtests", { count: Number.parseInt(count.value, 10),
        source: source.value, assume_referred: assume.checked, ...(draft !== null ? { draft } : {}) });
      ctx.cache.backtest = job;
      ctx.cache.backtestForm = { count: count.value, source: source.value, assume: assume.checked };
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
      h("button.button.primary", { type: "button", id: "run-backtest", onclick: start }, "Run backtest")),
    progress, output);

  // The last backtest stays when the merchant looks at another section and comes back.
  const last = ctx.cache.backtest;
  const form = ctx.cache.backtestForm;
  if (form) { count.value = form.count; source.value = form.source; assume.checked = form.assume; }
  if (last && last.status === "done") clear(output, resultView(last));
  else if (last && last.status === "failed") clear(output, errorState(new Error(last.error)));
  else if (last) { progress.hidden = false; poll(last.id); }
  return () => clearTimeout(timer);
}
