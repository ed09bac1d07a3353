// The Best customers section: how many customers sit in each segment, and the customers to
// invite first (ranked by advocate score), filtered by segment, paged, downloadable as CSV.

import { clear, emptyState, errorState, h, money, when } from "./dom.js";

const PAGE = 100;
const TONES = { champions: "success", loyal: "success", new: "", promising: "",
  at_risk: "held", asleep: "critical" };

export function segmentsSection(main, ctx) {
  const cards = h("div.cards", { id: "segment-cards" });
  const filter = h("select.select", { id: "segment-filter", "aria-label": "Segment" });
  const list = h("div", { id: "advocates-box" });
  const status = h("span.status", { id: "segments-status", role: "status" });
  const more = h("button.button", { type: "button", id: "advocates-more", hidden: true,
    onclick: () => load(rows.length) }, "Show more");
  let labels = {};
  let rows = [];
  let wanted = "";

  const pick = (segment) => {
    wanted = segment;
    filter.value = segment;
    load(0);
  };
  const renderCards = (data) => clear(cards, data.segments.map((s) => h("button.card", {
    type: "button", "data-segment": s.segment, "aria-pressed": String(s.segment === wanted),
    onclick: () => pick(s.segment === wanted ? "" : s.segment) },
  h("span.label", {}, s.label), h("strong", {}, String(s.customers)))));
  const renderFilter = (data) => {
    labels = Object.fromEntries(data.segments.map((s) => [s.segment, s.label]));
    if (filter.options.length) return;
    filter.append(h("option", { value: "" }, "All segments"),
      ...data.segments.map((s) => h("option", { value: s.segment }, s.label)));
    filter.value = wanted;
  };
  const row = (a) => h("tr", {},
    h("td.num", {}, String(a.rank)), h("td", {}, a.email),
    h("td", {}, h("span.badge", { class: TONES[a.segment] || "" }, labels[a.segment] || a.segment)),
    h("td.num", {}, h("strong", {}, String(a.advocate_score))),
    h("td.num", {}, `${a.recency} · ${a.frequency} · ${a.monetary_score}`),
    h("td.num", {}, String(a.orders)), h("td.num", {}, money(a.spent)),
    h("td.num", {}, String(a.referrals)), h("td.num", {}, String(a.converted)),
    h("td.num", {}, money(a.referred_revenue)), h("td", {}, when(a.last_order_at)));
  const renderList = (data) => {
    more.hidden = rows.length >= data.total;
    if (!rows.length) {
      clear(list, data.computed_at
        ? emptyState("Nobody in this segment", "Pick another segment, or all of them.")
        : emptyState("Not computed yet", "Segments are computed every night and after each order; use Recompute now to see them at once."));
      return;
    }
    clear(list, h("div.table-scroll", {}, h("table.table", { id: "advocates" },
      h("thead", {}, h("tr", {}, [["#", "num"], ["Customer"], ["Segment"], ["Advocate score", "num"],
        ["R · F · M", "num"], ["Orders", "num"], ["Spent", "num"], ["Friends referred", "num"],
        ["Friends who bought", "num"], ["Referred revenue", "num"], ["Last order"]]
        .map(([c, cls]) => h("th", { class: cls }, c)))),
      h("tbody", {}, rows.map(row)))));
  };
  const query = (offset) => {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (wanted) params.set("segment", wanted);
    return params.toString();
  };
  const load = async (offset) => {
    try {
      const data = await ctx.api.get(`/segments?${query(offset)}`);
      rows = offset ? rows.concat(data.advocates) : data.advocates;
      renderFilter(data);
      renderCards(data);
      renderList(data);
      status.dataset.tone = "";
      status.textContent = data.computed_at ? `Shop distribution measured ${when(data.computed_at)}` : "";
    } catch (error) {
      clear(list, errorState(error));
    }
  };
  const download = h("button.button", { type: "button", id: "advocates-csv", onclick: async () => {
    try {
      const { blob, filename } = await ctx.api.file(`/segments/advocates.csv${wanted ? `?segment=${encodeURIComponent(wanted)}` : ""}`);
      const link = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      clear(list, errorState(error));
    }
  } }, "Download CSV");
  const recompute = h("button.button", { type: "button", id: "segments-recompute", onclick: async () => {
    recompute.disabled = true;
    try {
      await ctx.api.post("/segments/recompute");
      status.dataset.tone = "success";
      status.textContent = "Recomputing…";
      setTimeout(() => { recompute.disabled = false; load(0); }, 1500);
    } catch (error) {
      recompute.disabled = false;
      clear(list, errorState(error));
    }
  } }, "Recompute now");
  filter.addEventListener("change", () => pick(filter.value));
  clear(main,
    h("div.toolbar", {}, h("label", { for: "segment-filter" }, "Segment"), filter, download, recompute, status),
    h("p.muted", {}, "Recency, frequency and spend are scored 1–5 against this shop's own customers. ",
      "Advocate score (0–100): segment, frequency, spend and friends who already bought through them — invite the top first."),
    cards, list, more);
  load(0);
}
