// The Dead letters section: webhook deliveries and gift cards or vouchers that ran out of
// attempts, why each failed, and a retry for each once the trouble is over (confirmed in place).

import { clear, confirmInPlace, emptyState, errorState, h, when } from "./dom.js";

const ACTIONS = { gift_card_issue: "gift card", voucher_issue: "voucher", gift_card_clawback: "gift card clawback" };

export function deadLettersSection(main, ctx) {
  const status = h("p.status", { id: "dead-letter-status", role: "status" });
  const box = h("div", { id: "dead-letters" });

  const retry = async (path, label) => {
    try {
      await ctx.api.post(path);
      status.dataset.tone = "success";
      status.textContent = `${label} is being retried.`;
      ctx.bridge.notify("success", "Retrying", label);
      await load();
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  const retryButton = (path, label) => h("button.button.small", { type: "button",
    onclick: (event) => confirmInPlace(event.currentTarget, `Retry ${label}?`, () => retry(path, label)) },
  "Retry…");
  const table = (id, headings, rows) => h("table.table", { id },
    h("thead", {}, h("tr", {}, headings.map((c) => h("th", {}, c)))), h("tbody", {}, rows));

  const render = (data) => {
    const parts = [];
    if (data.deliveries.length) {
      parts.push(h("h2", {}, `Webhook deliveries (${data.counts.deliveries})`),
        table("dead-deliveries", ["Delivery", "Received", "Failed", "Attempts", "Error", ""],
          data.deliveries.map((d) => h("tr", { "data-id": d.id },
            h("td", {}, h("code", {}, d.event), h("div.muted", {}, `#${d.id}`)),
            h("td", {}, when(d.received_at)), h("td", {}, when(d.failed_at)),
            h("td.num", {}, String(d.attempts)), h("td", {}, h("span.muted", {}, d.error)),
            h("td.actions", {}, retryButton(`/dead-letters/deliveries/${d.id}/retry`, `${d.event} #${d.id}`))))));
    }
    if (data.outbox.length) {
      parts.push(h("h2", {}, `Gift cards and vouchers (${data.counts.outbox})`),
        table("dead-outbox", ["Reward", "Recipient", "Created", "Attempts", "Error", ""],
          data.outbox.map((i) => h("tr", { "data-id": i.id },
            h("td", {}, ACTIONS[i.action] || i.action, h("div.muted", {}, `reward ${i.reward ?? "—"}`)),
            h("td", {}, i.recipient), h("td", {}, when(i.created_at)),
            h("td.num", {}, String(i.attempts)), h("td", {}, h("span.muted", {}, i.error)),
            h("td.actions", {}, retryButton(`/dead-letters/outbox/${i.id}/retry`, `the ${ACTIONS[i.action] || i.action} for ${i.recipient}`))))));
    }
    clear(box, ...(parts.length ? parts : [emptyState("No dead letters",
      "Deliveries and rewards that run out of attempts appear here, to retry once the trouble is over.")]));
  };
  const load = async () => {
    try {
      render(await ctx.api.get("/dead-letters"));
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  clear(main, h("p.muted", {}, "What failed every attempt. A retry runs it again; nothing is given twice."),
    status, box);
  load();
}
