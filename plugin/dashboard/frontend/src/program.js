// The Program section: the editor with its toolbar (gallery, format, save, publish) and a side
// panel with the checker's problems, the sandbox and the in-file examples.

import { createEditor } from "./editor.js";
import { clear, emptyState, errorState, h } from "./dom.js";
import { sandboxPanel } from "./sandbox.js";

function problemsList(result, editor) {
  if (!result) return emptyState("Checking…");
  const diagnostics = result.diagnostics || [];
  if (!diagnostics.length) {
    return h("div.ok-state", { role: "status" }, h("strong", {}, "No problems"),
      h("p", {}, "The program checks. Try it in the sandbox, then publish."));
  }
  return h("ul.problems", { "aria-label": "Problems" }, diagnostics.map((d) =>
    h("li", { class: `problem ${d.severity}` },
      h("button.link", { type: "button", onclick: () => editor.goTo(d.line, d.column) },
        `${d.line}:${d.column}`),
      h("span.severity", {}, d.severity),
      h("span.message", {}, d.message),
      d.hint ? h("div.hint", {}, d.hint) : null)));
}

function examplesPanel(container, ctx, editor) {
  const list = h("div.examples-list", {}, emptyState("Examples run from the `example` blocks in the program."));
  const run = async () => {
    clear(list, h("div.muted", {}, "Running…"));
    try {
      const data = await ctx.api.post("/examples", { source: editor.getSource() });
      if (data.diagnostics && data.diagnostics.length && !data.ok) {
        clear(list, errorState(new Error("Fix the program's errors first.")));
        return;
      }
      if (!data.examples.length) {
        clear(list, emptyState("No examples yet", "Add an `example \"name\":` block to the program."));
        return;
      }
      const passed = data.examples.filter((e) => e.passed).length;
      clear(list,
        h("p.summary", { role: "status" }, `${passed} of ${data.examples.length} examples pass`),
        h("ul.examples", {}, data.examples.map((e) =>
          h("li", { class: e.passed ? "pass" : "fail" },
            h("span.badge", { class: e.passed ? "success" : "critical" }, e.passed ? "pass" : "fail"),
            h("button.link", { type: "button", onclick: () => editor.goTo(e.line, 1) }, e.name),
            e.message ? h("div.muted", {}, e.message) : null))));
    } catch (error) {
      clear(list, errorState(error));
    }
  };
  clear(container, h("div.panel-actions", {},
    h("button.button.primary", { type: "button", id: "run-examples", onclick: run }, "Run examples")), list);
}

// The most one reward may be worth: a larger one goes to the review queue (rules/evaluate/ceiling.py).
function ceilingNote(report) {
  const ceiling = report.ceiling;
  if (!ceiling) {
    return h("p.muted", { id: "reward-ceiling" },
      "No currency: each reward is held to the default ceiling of the order's currency.");
  }
  const amount = `${ceiling.amount} ${ceiling.currency}`;
  return h("p", { id: "reward-ceiling" }, h("strong", {}, "Ceiling per reward: "), amount,
    report.ceiling_declared
      ? " (set by the program's `ceiling` line). A larger reward goes to the review queue."
      : ` (the default for ${ceiling.currency}; write \`ceiling ${amount}\` to change it).`
        + " A larger reward goes to the review queue.");
}

function staticReport(report) {
  if (!report) return null;
  const worst = Object.entries(report.worst_case_text || {});
  const exceeding = report.rules_exceeding_total || [];
  const warnings = report.warnings || [];
  return h("div.report", { id: "static-report" },
    h("h3", {}, "Worst-case reward cost of one order"),
    worst.length
      ? h("dl.figures", {}, worst.map(([trigger, text]) => [h("dt", {}, `on ${trigger}`), h("dd", {}, text)]))
      : h("p.muted", {}, "No rule gives a reward."),
    exceeding.length
      ? h("div.warning-box", { role: "alert" }, h("strong", {}, "Can exceed the order total: "),
          exceeding.map((item) => (typeof item === "number" ? `line ${item}` : String(item))).join(", "))
      : h("p.muted", {}, "No reward can exceed the order total."),
    ceilingNote(report),
    warnings.length ? h("details", {}, h("summary", {}, `${warnings.length} warning(s)`),
      h("pre.diff", {}, warnings.join("\n\n"))) : null);
}

export function programSection(main, ctx) {
  const status = h("span.status", { id: "save-status", role: "status" }, "");
  const editorHost = h("div.editor", { id: "editor" });
  const side = h("div.side");
  const tabs = h("div.subtabs", { role: "tablist", "aria-label": "Program tools" });
  const panels = { problems: h("div.panel"), sandbox: h("div.panel"), examples: h("div.panel"),
                   publish: h("div.panel") };
  let lastCheck = null;
  let editor = null;
  let saved = "";
  let program = null;

  const setStatus = (text, tone = "") => { status.textContent = text; status.dataset.tone = tone; };
  const showPanel = (name) => {
    for (const [key, panel] of Object.entries(panels)) panel.hidden = key !== name;
    for (const button of tabs.children) button.setAttribute("aria-selected", String(button.dataset.panel === name));
  };
  for (const [name, label] of [["problems", "Problems"], ["sandbox", "Sandbox"], ["examples", "Examples"],
                               ["publish", "Publish"]]) {
    tabs.append(h("button.subtab", { type: "button", role: "tab", "data-panel": name,
      onclick: () => { showPanel(name); if (name === "publish") renderPublish(); } }, label));
  }
  side.append(tabs, ...Object.values(panels));

  const save = async () => {
    const source = editor.getSource();
    setStatus("Saving…");
    try {
      const data = await ctx.api.put("/program/draft", { source });
      saved = source;
      program = data.program;
      setStatus("Draft saved", "success");
      return true;
    } catch (error) {
      setStatus(`Not saved: ${error.message}`, "critical");
      return false;
    }
  };

  const format = async () => {
    try {
      const data = await ctx.api.post("/format", { source: editor.getSource() });
      if (data.source !== editor.getSource()) editor.setSource(data.source);
      setStatus("Formatted");
    } catch (error) {
      setStatus(`Cannot format: ${error.message}`, "critical");
      showPanel("problems");
    }
  };

  // The publish button works only on a check of exactly the text in the editor: while a newer
  // check is pending it waits (disabled), so what goes live is what was checked.
  let publishNote = null;
  const renderPublish = () => {
    const panel = panels.publish;
    const current = editor ? editor.getSource() : null;
    const fresh = lastCheck && lastCheck.source === current;
    const ok = fresh && lastCheck.ok;
    clear(panel,
      h("p", {}, program && program.live_version
        ? `Version ${program.live_version} is live.` : "Nothing is published yet."),
      !fresh ? h("p.muted", { role: "status" }, "Checking the draft…")
        : ok ? staticReport(lastCheck.static_report)
          : h("div.warning-box", {}, "The program must check without errors to be published."),
      h("button.button.primary", { type: "button", id: "publish", disabled: !ok, onclick: publish },
        "Publish draft"),
      h("div", { id: "publish-result" }, publishNote));
  };

  const publish = async () => {
    publishNote = h("div.muted", {}, "Publishing…");
    renderPublish();
    try {
      const data = await ctx.api.post("/program/publish", { source: editor.getSource() });
      saved = editor.getSource();
      program = data.program;
      setStatus(`Published version ${data.version.number}`, "success");
      ctx.bridge.notify("success", "Program published", `Version ${data.version.number} is live.`);
      publishNote = h("div.ok-state", { role: "status" }, `Published: version ${data.version.number} is live.`);
    } catch (error) {
      const failed = (error.body.examples || []).filter((e) => !e.passed);
      publishNote = h("div.error", { role: "alert" }, h("strong", {}, `Not published: ${error.message}`),
        failed.length ? h("ul", {}, failed.map((e) => h("li", {}, `${e.name}: ${e.message || "failed"}`))) : null);
    }
    renderPublish();
  };

  const gallerySelect = h("select.select", { id: "gallery", "aria-label": "Start from an example" },
    h("option", { value: "" }, "Start from an example…"));
  let undoSource = null;
  const undoButton = h("button.button", { type: "button", id: "undo-example", hidden: true,
    onclick: () => { editor.setSource(undoSource); undoButton.hidden = true; setStatus("Restored your text"); } },
    "Undo");
  gallerySelect.addEventListener("change", () => {
    const item = (ctx.cache.gallery || []).find((g) => g.name === gallerySelect.value);
    gallerySelect.value = "";
    if (!item) return;
    // No confirm dialog (the dashboard's iframe forbids them): keep the text for one undo.
    undoSource = editor.getSource();
    editor.setSource(item.source);
    undoButton.hidden = false;
    setStatus(`Loaded “${item.title}” (not saved)`);
  });

  const toolbar = h("div.toolbar", {},
    gallerySelect, undoButton,
    h("button.button", { type: "button", id: "format", onclick: format, title: "Shift+Alt+F" }, "Format"),
    h("button.button", { type: "button", id: "save", onclick: save }, "Save draft"),
    h("button.button.primary", { type: "button", onclick: () => { showPanel("publish"); renderPublish(); } },
      "Publish…"),
    status);

  clear(main, h("div.program-layout", {}, h("div.editor-column", {}, toolbar, editorHost), side));
  clear(editorHost, h("div.muted", { role: "status" }, "Loading the program…"));

  let alive = true;
  (async () => {
    try {
      const [programData, vocabulary, gallery] = await Promise.all([
        ctx.api.get("/program"), ctx.api.get("/vocabulary"), ctx.api.get("/gallery")]);
      if (!alive) return;
      ctx.cache.gallery = gallery.programs;
      for (const item of gallery.programs) {
        gallerySelect.append(h("option", { value: item.name }, item.title));
      }
      program = programData.program;
      document.getElementById("who").textContent = programData.user.email;
      saved = ctx.cache.unsavedSource ?? program.draft;
      clear(editorHost);
      editor = createEditor({
        parent: editorHost,
        doc: saved,
        vocabulary,
        check: async (source) => ({ ...(await ctx.api.post("/check", { source })), source }),
        types: (source) => ctx.api.post("/types", { source }),
        onChange: (source) => {
          ctx.cache.unsavedSource = source;
          setStatus(source === saved ? "" : "Unsaved changes");
          publishNote = null;
          if (!panels.publish.hidden) renderPublish();
        },
        onDiagnostics: (result, error) => {
          lastCheck = result;
          clear(panels.problems, error ? errorState(error) : problemsList(result, editor));
          if (!panels.publish.hidden) renderPublish();
        },
        onFormat: format,
      });
      ctx.editor = editor;
      clear(panels.problems, problemsList(null, editor));
      sandboxPanel(panels.sandbox, ctx, editor);
      examplesPanel(panels.examples, ctx, editor);
      showPanel("problems");
    } catch (error) {
      clear(main, errorState(error));
    }
  })();
  return () => { alive = false; };
}
