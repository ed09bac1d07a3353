// The rules editor: CodeMirror 6 with highlighting, inline diagnostics from the app's checker
// (debounced while typing), completion of fact names, hover for the type (and constant value) of
// the expression under the pointer (asked for once per checked version), and the formatter.

import { autocompletion, closeBrackets, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { HighlightStyle, StreamLanguage, bracketMatching, indentOnInput,
         syntaxHighlighting } from "@codemirror/language";
import { lintGutter, linter, lintKeymap } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter,
         hoverTooltip, keymap, lineNumbers } from "@codemirror/view";
import { tags } from "@lezer/highlight";

const CHECK_DELAY_MS = 350;

export function rulesLanguage(keywords) {
  const words = new Set(keywords);
  return StreamLanguage.define({
    name: "rules",
    token(stream) {
      if (stream.eatSpace()) return null;
      if (stream.match(/#.*/)) return "comment";
      if (stream.match(/"(?:[^"\\]|\\.)*"?/)) return "string";
      if (stream.match(/\d{4}-\d{2}-\d{2}/)) return "number";
      if (stream.match(/\d+(?:\.\d+)?%?/)) return "number";
      if (stream.match(/[A-Z]{3}\b/)) return "unit";
      const word = stream.match(/[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*/);
      if (word) return words.has(word[0]) ? "keyword" : "variableName";
      if (stream.match(/[<>=!]=?|[+\-*/]|\.\./)) return "operator";
      stream.next();
      return null;
    },
    languageData: { commentTokens: { line: "#" } },
    tokenTable: { unit: tags.unit },
  });
}

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--code-keyword)", fontWeight: "600" },
  { tag: tags.comment, color: "var(--code-comment)", fontStyle: "italic" },
  { tag: tags.string, color: "var(--code-string)" },
  { tag: tags.number, color: "var(--code-number)" },
  { tag: tags.unit, color: "var(--code-unit)", fontWeight: "600" },
  { tag: tags.operator, color: "var(--code-operator)" },
  { tag: tags.variableName, color: "var(--code-name)" },
]);

// Position in the document of a 1-based line and column, clamped to the document.
export function offsetOf(doc, line, column) {
  const safeLine = Math.min(Math.max(1, line || 1), doc.lines);
  const info = doc.line(safeLine);
  return Math.min(info.from + Math.max(0, (column || 1) - 1), info.to);
}

function toCodeMirrorDiagnostics(doc, diagnostics) {
  return diagnostics.map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    let to = offsetOf(doc, d.end_line || d.line, d.end_column || d.column);
    if (to <= from) to = Math.min(from + 1, doc.length);
    const message = d.hint ? `${d.message}\n${d.hint}` : d.message;
    return { from, to: Math.max(from, to), severity: d.severity === "warning" ? "warning"
      : d.severity === "info" ? "info" : "error", message, source: `${d.line}:${d.column}` };
  });
}

function wordAt(doc, pos) {
  const line = doc.lineAt(pos);
  const text = line.text;
  let start = pos - line.from;
  let end = start;
  while (start > 0 && /[\w.]/.test(text[start - 1])) start -= 1;
  while (end < text.length && /[\w.]/.test(text[end])) end += 1;
  if (start === end) return null;
  return { from: line.from + start, to: line.from + end, text: text.slice(start, end) };
}

// The last check's expression types as document ranges, for the document they were computed on.
function typeRanges(doc, types) {
  return (types || []).map((t) => {
    const from = offsetOf(doc, t.from?.line, t.from?.column);
    const to = Math.max(from, offsetOf(doc, t.to?.line, t.to?.column));
    return { from, to, type: t.type, value: t.value ?? null };
  });
}

// The innermost recorded expression holding the character beside `pos` that the pointer is on
// (`side` < 0: the one before it), the shortest range winning.
export function innermostAt(ranges, pos, side = 1) {
  const at = side < 0 ? pos - 1 : pos;
  let best = null;
  for (const range of ranges) {
    if (range.from <= at && at < range.to
        && (!best || range.to - range.from < best.to - best.from)) best = range;
  }
  return best;
}

const MAX_TOOLTIP_CODE = 80;

function shortText(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_TOOLTIP_CODE ? `${flat.slice(0, MAX_TOOLTIP_CODE - 1)}…` : flat;
}

function tooltipDom(className, head, lines) {
  const dom = document.createElement("div");
  dom.className = className;
  const code = document.createElement("code");
  code.textContent = head;
  dom.append(code);
  for (const line of lines) {
    const text = document.createElement("div");
    text.textContent = line;
    dom.append(text);
  }
  return dom;
}

export function createEditor({ parent, doc, vocabulary, check, types, onChange, onDiagnostics,
                               onFormat }) {
  const byName = new Map(vocabulary.facts.map((fact) => [fact.name, fact]));
  const completions = vocabulary.facts.map((fact) => ({
    label: fact.name, type: "variable", detail: fact.type, info: fact.doc || undefined,
  })).concat(vocabulary.keywords.map((word) => ({ label: word, type: "keyword" })));

  // Types belong to the exact document they were checked on; any edit makes them stale until the
  // next check, and the hover falls back to the fact names meanwhile.
  let checkedTypes = { doc: null, ranges: null, pending: null };

  // The checked version's expression types, asked for once (a hover waits for the first answer).
  const typesOf = (doc) => {
    const held = checkedTypes;
    if (held.doc !== doc || !types) return Promise.resolve([]);
    if (held.ranges) return Promise.resolve(held.ranges);
    if (!held.pending) {
      held.pending = types(doc.toString())
        .then((answer) => { held.ranges = typeRanges(doc, answer.types); return held.ranges; })
        .catch(() => { held.pending = null; return []; });
    }
    return held.pending;
  };

  const checkLinter = linter(async (view) => {
    const source = view.state.doc.toString();
    let result;
    try {
      result = await check(source);
    } catch (error) {
      onDiagnostics?.(null, error);
      return [];
    }
    if (view.state.doc.toString() !== source) return []; // typed on meanwhile: a newer check comes
    // types are fetched on the first hover of this version, not with every check while typing
    checkedTypes = { doc: view.state.doc, ranges: null, pending: null };
    onDiagnostics?.(result, null);
    return toCodeMirrorDiagnostics(view.state.doc, result.diagnostics || []);
  }, { delay: CHECK_DELAY_MS });

  const factTooltip = (word) => {
    const fact = word && byName.get(word.text);
    if (!fact) return null;
    return {
      pos: word.from, end: word.to, above: true,
      create: () => ({ dom: tooltipDom("cm-fact-tooltip", `${fact.name}: ${fact.type}`,
                                       fact.doc ? [fact.doc] : []) }),
    };
  };

  const hover = hoverTooltip(async (view, pos, side) => {
    const doc = view.state.doc;
    const word = wordAt(doc, pos);
    const ranges = await typesOf(doc);
    if (view.state.doc !== doc) return null; // edited while the types were on their way
    const typed = innermostAt(ranges, pos, side);
    if (!typed) return factTooltip(word);
    const text = doc.sliceString(typed.from, typed.to);
    const fact = byName.get(text);
    const lines = [];
    if (typed.value !== null && typed.value !== text.trim()) lines.push(`= ${typed.value}`);
    if (fact?.doc) lines.push(fact.doc);
    return {
      pos: typed.from, end: typed.to, above: true,
      create: () => ({ dom: tooltipDom(fact ? "cm-type-tooltip cm-fact-tooltip" : "cm-type-tooltip",
                                       `${shortText(text)}: ${typed.type}`, lines) }),
    };
  });

  const completeFacts = (context) => {
    const word = context.matchBefore(/[\w.]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    return { from: word.from, options: completions, validFor: /^[\w.]*$/ };
  };

  const theme = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(),
        highlightSelectionMatches(), lintGutter(), checkLinter, hover,
        autocompletion({ override: [completeFacts] }),
        rulesLanguage(vocabulary.keywords), syntaxHighlighting(highlight),
        EditorState.tabSize.of(4),
        keymap.of([
          { key: "Shift-Alt-f", run: () => { onFormat?.(); return true; } },
          indentWithTab, ...defaultKeymap, ...historyKeymap, ...searchKeymap,
          ...completionKeymap, ...lintKeymap,
        ]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange?.(update.state.doc.toString());
        }),
        theme.of([]),
        EditorView.contentAttributes.of({ "aria-label": "Program source", "spellcheck": "false" }),
      ],
    }),
  });

  return {
    view,
    getSource: () => view.state.doc.toString(),
    setSource(source) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
    },
    goTo(line, column) {
      const pos = offsetOf(view.state.doc, line, column);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
  };
}
