// The Settings section: where share links lead, the attribution window and the fraud limits.
// Errors come back per field and are shown under that field.

import { clear, errorState, h } from "./dom.js";

const FIELDS = [
  { name: "storefront_url", label: "Storefront URL", type: "url", wide: true,
    help: "Share links send shoppers here with the code in the query. https:// only." },
  { name: "code_param", label: "Query parameter for the code", type: "text",
    help: "The link becomes …?ref=ALICE-7K2Q with the default “ref”." },
  { name: "attribution_days", label: "Attribution window (days)", type: "number",
    help: "How long an earlier referral of the same shopper still counts." },
  { name: "velocity_per_day", label: "Referrals per referrer per day", type: "number",
    help: "More than this in 24 hours goes to the review queue." },
  { name: "leaked_referees_per_day", label: "Strangers on one code per day", type: "number",
    help: "A code shared publicly shows as many new e-mails; above this, review." },
  { name: "shared_address_referees", label: "Referees at one address", type: "number",
    help: "Friends of one referrer shipping to the same address before review." },
  { name: "code_voucher_percent", label: "Typed-code discount (%)", type: "text", inputmode: "decimal",
    help: "What a referral code typed at checkout is worth until the app applies the friend's own reward (once per shopper). 0 keeps codes out of Saleor: friends then come by link only." },
];

export function settingsSection(main, ctx) {
  const box = h("div", {}, h("div.muted", { role: "status" }, "Loading…"));
  clear(main, box);
  ctx.api.get("/settings").then((data) => clear(box, settingsForm(ctx, data)))
    .catch((error) => clear(box, errorState(error)));
}

function settingsForm(ctx, data) {
  const inputs = {};
  const errors = {};
  const status = h("span.status", { id: "settings-status", role: "status" });
  const rows = FIELDS.map((f) => {
    const id = `setting-${f.name}`;
    const bounds = data.bounds[f.name];
    inputs[f.name] = h("input.input", {
      id, name: f.name, type: f.type, inputmode: f.inputmode, value: data.settings[f.name] ?? "",
      min: bounds ? bounds[0] : null, max: bounds ? bounds[1] : null, step: f.type === "number" ? 1 : null,
      "aria-describedby": `${id}-help ${id}-error`, spellcheck: "false",
      placeholder: f.name === "storefront_url" ? "https://shop.example.com/" : null,
    });
    errors[f.name] = h("span.field-error", { id: `${id}-error`, role: "alert" });
    return h("div.field", { class: f.wide ? "wide" : "" }, h("label", { for: id }, f.label), inputs[f.name],
      h("span.help", { id: `${id}-help` }, f.help), errors[f.name]);
  });
  const save = h("button.button.primary", { type: "submit", id: "settings-save" }, "Save settings");
  const form = h("form.settings", { id: "settings-form", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    for (const f of FIELDS) { errors[f.name].textContent = ""; inputs[f.name].removeAttribute("aria-invalid"); }
    const body = {};
    for (const f of FIELDS) {
      const raw = inputs[f.name].value.trim();
      body[f.name] = f.type === "number" && /^\d+$/.test(raw) ? Number(raw) : raw;
    }
    save.disabled = true;
    status.dataset.tone = "";
    status.textContent = "Saving…";
    try {
      const result = await ctx.api.put("/settings/save", body);
      status.dataset.tone = "success";
      status.textContent = result.changed.length ? `Saved (${result.changed.length} changed)` : "Nothing changed";
      ctx.bridge.notify("success", "Settings saved");
    } catch (error) {
      const fields = (error.body && error.body.fields) || {};
      let first = null;
      for (const [name, reason] of Object.entries(fields)) {
        if (!errors[name]) continue;
        errors[name].textContent = reason;
        inputs[name].setAttribute("aria-invalid", "true");
        first = first || inputs[name];
      }
      status.dataset.tone = "critical";
      status.textContent = error.message;
      if (first) first.focus();
      else form.append(errorState(error));
    } finally {
      save.disabled = false;
    }
  } },
  h("fieldset", {}, h("legend", {}, "Share links"), rows.slice(0, 2)),
  h("fieldset", {}, h("legend", {}, "Attribution and limits"), rows.slice(2, 6)),
  h("fieldset", {}, h("legend", {}, "Checkout"), rows.slice(6)),
  h("div.toolbar", {}, save, status));
  return form;
}
