// The Codes section: find a customer's referral codes by code or e-mail; deactivate one or
// rotate a leaked one, confirmed in place (Saleor's iframe allows no confirm dialog).

import { clear, confirmInPlace, emptyState, errorState, h, when } from "./dom.js";

export function codesSection(main, ctx) {
  const query = h("input.input", { id: "code-query", type: "search", placeholder: "Code or customer e-mail",
    "aria-label": "Code or customer e-mail", size: "32" });
  const box = h("div");
  const status = h("p.status", { id: "code-status", role: "status" });
  let last = "";

  const act = async (code, action) => {
    try {
      const data = await ctx.api.post(`/codes/${code.id}/${action}`);
      status.dataset.tone = "success";
      status.textContent = action === "rotate"
        ? `${code.code} no longer works; ${code.owner_email} now has ${data.code.code}.`
        : `${code.code} no longer works.`;
      ctx.bridge.notify("success", action === "rotate" ? "Code rotated" : "Code deactivated", code.code);
      await search(data.code.code);
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  const render = (data) => data.codes.length ? h("table.table", { id: "codes" },
    h("thead", {}, h("tr", {}, [["Code"], ["Owner"], ["State"], ["Created"], ["Visits", "num"],
      ["Referrals", "num"], ["Converted", "num"], [""]].map(([c, cls]) => h("th", { class: cls }, c)))),
    h("tbody", {}, data.codes.map((code) => h("tr", {},
      h("td", {}, h("code", {}, code.code), code.rotated_from ? h("div.muted", {}, `replaces ${code.rotated_from}`) : null,
        code.link ? h("div.muted.link-text", {}, code.link) : null),
      h("td", {}, code.owner_name ? `${code.owner_name} ` : "", h("span.muted", {}, code.owner_email)),
      h("td", {}, h("span.badge", { class: code.active ? "success" : "critical" }, code.active ? "active" : "inactive"),
        code.deactivated_at ? h("div.muted", {}, when(code.deactivated_at)) : null),
      h("td", {}, when(code.created)),
      h("td.num", {}, String(code.stats.visits)), h("td.num", {}, String(code.stats.referrals)),
      h("td.num", {}, String(code.stats.converted)),
      h("td.actions.code-actions", {}, code.active ? [
        h("button.button.small", { type: "button", onclick: (event) => confirmInPlace(event.currentTarget,
          `Rotate ${code.code}? It stops working at once.`, () => act(code, "rotate")) }, "Rotate…"), " ",
        h("button.button.small", { type: "button", onclick: (event) => confirmInPlace(event.currentTarget,
          `Deactivate ${code.code}?`, () => act(code, "deactivate")) }, "Deactivate…")] : "—")))))
    : emptyState("No code found", `Nothing matches “${data.query}”. Try the customer's e-mail.`);
  const search = async (value) => {
    last = value.trim();
    if (!last) { clear(box, emptyState("Look up a code", "Type a referral code or the e-mail of its owner.")); return; }
    clear(box, h("div.muted", { role: "status" }, "Searching…"));
    try {
      clear(box, render(await ctx.api.get(`/codes?q=${encodeURIComponent(last)}`)));
    } catch (error) {
      clear(box, errorState(error));
    }
  };
  const form = h("form.toolbar", { id: "code-search", onsubmit: (event) => {
    event.preventDefault();
    status.textContent = "";
    search(query.value);
  } }, query, h("button.button.primary", { type: "submit" }, "Find"));
  clear(main, form, status, box);
  search("");
  query.focus();
}
