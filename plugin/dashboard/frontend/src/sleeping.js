// The Sleeping customers section: what they are worth at a return rate the merchant can try
// and save, how many woke after an offer, and who is asleep with their rhythm.

import { clear, emptyState, errorState, h, money, when } from "./dom.js";

export function sleepingSection(main, ctx) {
  const rate = h("input.input", { id: "return-rate", type: "text", inputmode: "decimal", size: "5",
    "aria-label": "Expected return rate in percent" });
  const rateError = h("span.field-error", { id: "return-rate-error", role: "alert" });
  const cards = h("div.cards", { id: "sleeping-cards" });
  const list = h("div");
  const status = h("span.status", { role: "status" });
  let saved = null;

  const render = (data) => {
    if (saved === null) saved = data.return_rate;
    if (document.activeElement !== rate) rate.value = data.return_rate;
    save.disabled = data.return_rate === saved;
    const estimate = data.estimate.length ? data.estimate.map(money).join(" + ") : "—";
    clear(cards,
      [["Sleeping customers", String(data.asleep)],
       [`Lost revenue at ${data.return_rate}% return`, estimate],
       ["Win-back offers made", String(data.offers)],
       ["Woke up after an offer", String(data.woke_after_offer)],
       ["Offers still open", String(data.open_offers)]]
        .map(([label, value]) => h("div.card", {}, h("span.label", {}, label), h("strong", {}, value))));
    clear(list, data.customers.length ? h("table.table", { id: "sleeping" },
      h("thead", {}, h("tr", {}, [["Customer"], ["Orders", "num"], ["Usual rhythm"], ["Last order"],
        ["Days overdue", "num"], ["Periods missed", "num"], ["Average order", "num"]]
        .map(([c, cls]) => h("th", { class: cls }, c)))),
      h("tbody", {}, data.customers.map((c) => h("tr", {},
        h("td", {}, c.email), h("td.num", {}, String(c.orders)),
        h("td", {}, `every ${c.usual_days} days`), h("td", {}, when(c.last_order_at)),
        h("td.num", {}, String(c.days_overdue)), h("td.num", {}, String(c.periods_missed)),
        h("td.num", {}, money(c.average_order))))))
      : emptyState("Nobody is asleep", "Customers with a buying rhythm appear here once they miss their usual orders."));
  };
  const load = async (tryRate) => {
    rateError.textContent = "";
    rate.removeAttribute("aria-invalid");
    try {
      render(await ctx.api.get(`/sleeping${tryRate ? `?rate=${encodeURIComponent(tryRate)}` : ""}`));
    } catch (error) {
      if (error.status === 400 && tryRate) {
        rateError.textContent = error.message;
        rate.setAttribute("aria-invalid", "true");
      } else {
        clear(list, errorState(error));
      }
    }
  };
  const save = h("button.button", { type: "button", id: "return-rate-save", disabled: true, onclick: async () => {
    try {
      const data = await ctx.api.put("/sleeping/rate", { rate: rate.value.trim() });
      saved = data.return_rate;
      save.disabled = true;
      status.dataset.tone = "success";
      status.textContent = `Saved: ${saved}% is the shop's expected return rate`;
    } catch (error) {
      rateError.textContent = error.message;
    }
  } }, "Save as default");
  rate.addEventListener("change", () => load(rate.value.trim()));
  clear(main,
    h("div.toolbar", {}, h("label", { for: "return-rate" }, "Expected return rate"), rate, h("span", {}, "%"),
      save, status, rateError),
    h("p.muted", {}, "Estimate = sleeping customers × return rate × each one's average order."),
    cards, list);
  load("");
}
