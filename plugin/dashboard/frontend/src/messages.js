// The Messages section: the wording of each playbook e-mail, a preview rendered by the same
// code that sends it (debounced as the merchant types), errors placed at their line and column.

import { clear, errorState, h } from "./dom.js";

const PREVIEW_DELAY_MS = 350;

// The character offset of line:col in `text` (1-based), for placing the caret on an error.
function offsetOf(text, line, col) {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  return offset + Math.max(0, col - 1);
}

export function messagesSection(main, ctx) {
  const box = h("div", {}, h("div.muted", { role: "status" }, "Loading…"));
  clear(main, box);
  let timer = null;
  ctx.api.get("/messages").then((data) => {
    const picker = h("nav.subtabs.message-tabs", { role: "tablist", "aria-label": "E-mails" });
    const pane = h("div.message-pane");
    const open = (message) => {
      for (const b of picker.children) b.setAttribute("aria-selected", String(b.dataset.template === message.template));
      clear(pane, messageEditor(ctx, message, (fresh) => {
        Object.assign(message, fresh);
        picker.querySelector(`[data-template="${message.template}"] .dot`).hidden = !message.customized;
      }, (t) => { timer = t; }));
    };
    for (const message of data.messages) {
      picker.append(h("button.subtab", { type: "button", role: "tab", "data-template": message.template,
        onclick: () => open(message) }, message.label,
      h("span.dot", { hidden: !message.customized, title: "Customised" }, " •")));
    }
    clear(box, picker, pane);
    open(data.messages[0]);
  }).catch((error) => clear(box, errorState(error)));
  return () => clearTimeout(timer);
}

function messageEditor(ctx, message, onSaved, setTimer) {
  const subject = h("input.input.wide-input", { id: "message-subject", value: message.subject,
    "aria-label": "Subject", maxlength: "200", spellcheck: "true" });
  const body = h("textarea.input.message-body", { id: "message-body", rows: "14", "aria-label": "Body",
    maxlength: "5000", spellcheck: "true" });
  body.value = message.body;
  const problem = h("div.message-problem", { id: "message-problem", role: "alert" });
  const previewSubject = h("strong", { id: "preview-subject" });
  const previewText = h("pre.preview-text", { id: "preview-text" });
  const status = h("span.status", { id: "message-status", role: "status" });
  const state = h("span.badge", { id: "message-state" });
  let sequence = 0;

  const showState = () => {
    state.textContent = message.customized ? "customised" : "shipped wording";
    state.className = `badge ${message.customized ? "success" : ""}`;
    reset.disabled = !message.customized;
  };
  const showProblem = (error) => {
    const position = error.body && error.body.position;
    subject.removeAttribute("aria-invalid");
    body.removeAttribute("aria-invalid");
    if (!position) { clear(problem, errorState(error)); return; }
    const field = position.part === "subject" ? subject : body;
    field.setAttribute("aria-invalid", "true");
    const where = position.line ? `${position.part} ${position.line}:${position.col}` : position.part;
    clear(problem, h("div.error", {}, h("button.link", { type: "button", onclick: () => {
      field.focus();
      if (position.line) {
        const at = position.part === "subject" ? position.col - 1 : offsetOf(field.value, position.line, position.col);
        field.setSelectionRange(at, at + 1);
      }
    } }, where), " ", error.message.replace(/^(subject|body)(:\d+:\d+)?: /, "")));
  };
  const showPreview = (preview) => {
    clear(problem);
    subject.removeAttribute("aria-invalid");
    body.removeAttribute("aria-invalid");
    previewSubject.textContent = preview.subject;
    previewText.textContent = preview.text;
  };
  const refresh = async () => {
    const mine = ++sequence;
    try {
      const data = await ctx.api.post(`/messages/${message.template}/preview`,
        { subject: subject.value, body: body.value });
      if (mine === sequence) showPreview(data.preview);
    } catch (error) {
      if (mine === sequence) showProblem(error);
    }
  };
  const schedule = () => { setTimer(setTimeout(refresh, PREVIEW_DELAY_MS)); };
  let pending = null;
  for (const input of [subject, body]) {
    input.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(refresh, PREVIEW_DELAY_MS); setTimer(pending); });
  }
  const save = h("button.button.primary", { type: "button", id: "message-save", onclick: async () => {
    status.dataset.tone = "";
    status.textContent = "Saving…";
    try {
      const data = await ctx.api.put(`/messages/${message.template}`, { subject: subject.value, body: body.value });
      onSaved(data.message);
      showPreview(data.preview);
      showState();
      status.dataset.tone = "success";
      status.textContent = "Saved: this wording is used from now on";
      ctx.bridge.notify("success", `${message.label} saved`);
    } catch (error) {
      status.dataset.tone = "critical";
      status.textContent = "Not saved";
      showProblem(error);
    }
  } }, "Save");
  const reset = h("button.button", { type: "button", id: "message-reset", onclick: async () => {
    try {
      const data = await ctx.api.post(`/messages/${message.template}/reset`);
      onSaved(data.message);
      subject.value = data.message.subject;
      body.value = data.message.body;
      showPreview(data.preview);
      showState();
      status.dataset.tone = "success";
      status.textContent = "Back to the shipped wording";
    } catch (error) {
      showProblem(error);
    }
  } }, "Reset to default");
  const required = message.required.map((group) => group.map((n) => `$${n}`).join(" or "));
  showState();
  schedule();
  return h("div.message-layout", {},
    h("div.message-edit", {},
      h("div.toolbar", {}, h("h2.inline", {}, message.label), state),
      h("label.field-label", { for: "message-subject" }, "Subject"), subject,
      h("label.field-label", { for: "message-body" }, "Body"), body,
      h("p.muted.placeholders", {}, "Placeholders: ",
        message.placeholders.map((name) => [h("code", {}, `$${name}`), " "]),
        required.length ? h("span", {}, " — must keep ", required.join(", ")) : null,
        ". Write $$ for a dollar sign."),
      problem,
      h("div.toolbar", {}, save, reset, status)),
    h("section.message-preview", { "aria-label": "Preview" },
      h("h3", {}, "Preview ", h("span.muted", {}, "(sample customer, as sent)")),
      h("div.preview-mail", {}, h("div.preview-subject", {}, previewSubject), previewText)));
}
