// The Versions section: every published version, roll back to any, diff any two (or with the draft).

import { clear, confirmInPlace, emptyState, errorState, h, when } from "./dom.js";

function diffView(text) {
  if (!text) return emptyState("No differences");
  return h("pre.diff", { id: "diff", tabindex: "0" }, text.split("\n").map((line) => {
    const kind = line.startsWith("+++") || line.startsWith("---") ? "meta"
      : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "same";
    return h("span", { class: `diff-line ${kind}` }, `${line}\n`);
  }));
}

export function versionsSection(main, ctx) {
  const list = h("div", {}, h("div.muted", {}, "Loading…"));
  const diffBox = h("div.diff-box");
  const a = h("select.select", { id: "diff-a", "aria-label": "Compare from" });
  const b = h("select.select", { id: "diff-b", "aria-label": "Compare to" });

  const showDiff = async () => {
    if (!a.value || !b.value) return;
    try {
      const data = await ctx.api.get(`/program/diff?a=${encodeURIComponent(a.value)}&b=${encodeURIComponent(b.value)}`);
      clear(diffBox, diffView(data.diff));
    } catch (error) {
      clear(diffBox, errorState(error));
    }
  };

  const rollback = async (number) => {
    try {
      await ctx.api.post("/program/rollback", { number });
      ctx.bridge.notify("success", "Rolled back", `Version ${number} is live.`);
      await load();
    } catch (error) {
      clear(diffBox, errorState(error));
    }
  };

  const load = async () => {
    try {
      const data = await ctx.api.get("/program");
      const versions = data.versions;
      if (!versions.length) {
        clear(list, emptyState("Nothing published yet", "Publish the draft from the Program section."));
        return;
      }
      clear(a, versions.map((v) => h("option", { value: v.number }, `v${v.number}`)));
      clear(b, h("option", { value: "draft" }, "draft"), versions.map((v) => h("option", { value: v.number }, `v${v.number}`)));
      if (versions.length > 1) { a.value = String(versions[1].number); b.value = String(versions[0].number); }
      clear(list, h("table.table", { id: "versions" },
        h("thead", {}, h("tr", {}, ["Version", "Published", "By", "Worst case per order", ""].map((t) => h("th", {}, t)))),
        h("tbody", {}, versions.map((v) => h("tr", { "data-version": v.number },
          h("td", {}, `v${v.number} `, v.is_live ? h("span.badge.success", {}, "live") : null),
          h("td", {}, when(v.published_at)),
          h("td", {}, v.published_by || "—"),
          h("td", {}, worstCase(v.static_report)),
          h("td.actions", {}, v.is_live ? null : h("button.button.small", { type: "button",
            onclick: (event) => confirmInPlace(event.currentTarget, `Make v${v.number} live again?`,
              () => rollback(v.number)) }, `Roll back to v${v.number}`)))))));
      showDiff();
    } catch (error) {
      clear(list, errorState(error));
    }
  };

  clear(main, h("h2", {}, "Published versions"), list,
    h("h2", {}, "Compare"),
    h("div.toolbar", {}, a, h("span", {}, "→"), b,
      h("button.button", { type: "button", id: "show-diff", onclick: showDiff }, "Show diff")),
    diffBox);
  load();
}

function worstCase(report) {
  const texts = Object.entries((report && report.worst_case_text) || {});
  if (!texts.length) return "—";
  return texts.map(([trigger, text]) => `${trigger}: ${text}`).join("; ");
}
