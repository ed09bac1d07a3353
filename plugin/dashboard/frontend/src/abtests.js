// The A/B tests section: the live program's test, each variant's figures (referrers, invites,
// visits, referrals, friends who bought, cost, referred revenue, cost per customer), the
// verdict against the control, and promoting the winner to a new version in one click.

import { clear, confirmInPlace, emptyState, errorState, h, money } from "./dom.js";

const COLUMNS = [["Variant"], ["Weight", "num"], ["Referrers", "num"], ["Invites sent", "num"],
  ["Link visits", "num"], ["Referrals", "num"], ["Friends who bought", "num"], ["Conversion", "num"],
  ["Reward cost", "num"], ["Referred revenue", "num"], ["Cost per customer", "num"], [""]];

export function abTestsSection(main, ctx) {
  const box = h("div", { id: "abtests-box" });

  const promote = async (name) => {
    try {
      const data = await ctx.api.post("/abtests/promote", { variant: name });
      ctx.bridge.notify("success", "Winner promoted", `Version ${data.version.number} gives everyone "${name}".`);
      await load();
    } catch (error) {
      clear(box, errorState(error));
    }
  };

  const row = (v, total) => h("tr", { "data-variant": v.name },
    h("td", {}, v.name), h("td.num", {}, `${Math.round((100 * v.weight) / total)} %`),
    h("td.num", {}, String(v.referrers)), h("td.num", {}, String(v.invites)),
    h("td.num", {}, String(v.visits)), h("td.num", {}, String(v.referrals)),
    h("td.num", {}, String(v.converted)), h("td.num", {}, v.conversion === null ? "—" : `${v.conversion} %`),
    h("td.num", {}, money(v.cost)), h("td.num", {}, money(v.revenue)),
    h("td.num", {}, money(v.cost_per_acquired)),
    h("td.actions", {}, h("button.button.small", { type: "button",
      onclick: (event) => confirmInPlace(event.currentTarget, `Give everyone "${v.name}"?`, () => promote(v.name)) },
    "Promote")));

  const verdicts = (data) => data.variants.filter((v) => v.verdict).map((v) => h("div.hint-box", {
    role: "note", "data-verdict": v.name },
  h("strong", {}, `${v.name} against ${v.against}: `), v.verdict,
  v.revenue_difference ? h("span.muted", {}, ` (referred revenue per referrer ${v.revenue_difference.per_referrer} `
    + `${v.revenue_difference.currency}, between ${v.revenue_difference.low} and ${v.revenue_difference.high})`) : null));

  const load = async () => {
    try {
      const data = await ctx.api.get("/abtests");
      if (!data.test) {
        clear(box, emptyState("No A/B test is live",
          "Write an `ab test` block in the editor (see the gallery's \"Welcome offer test\") and publish it."));
        return;
      }
      clear(box,
        h("p", {}, h("strong", { id: "abtest-name" }, data.test), h("span.muted", {},
          ` · live version ${data.number} · referrers are split by the test's salt; their friends get the offer they shared`)),
        h("div.table-scroll", {}, h("table.table", { id: "abtest-variants" },
          h("thead", {}, h("tr", {}, COLUMNS.map(([c, cls]) => h("th", { class: cls }, c)))),
          h("tbody", {}, data.variants.map((v) => row(v, data.total_weight))))),
        verdicts(data),
        h("p.muted", {}, "The verdict holds however often you look: it uses a confidence sequence, "
          + "not a one-time interval. Promoting a variant publishes a new version with its rules for everyone."));
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  clear(main, box);
  load();
}
