"""The editor's view of the rules language: check, format, examples, explain, vocabulary."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import rules
from examples import example_programs
from grammar import load_grammar
from plugin.programs.reports import diagnostic_json, example_json, to_jsonable
from rules.facts.schema import ALIASES, FACTS, LINE_FIELDS

FILENAME = "program.rules"
EXAMPLES_DIR = resources.files("examples")  # the ready programs, package data
MAX_GALLERY_BYTES = 64 * 1024


def check_source(source: str) -> dict[str, Any]:
    """Diagnostics at their line and column, and the static figures once the program checks."""
    result = rules.check(source, FILENAME)
    report = None
    if result.ok and result.program is not None:
        report = to_jsonable(result.program.static_report())
    return {
        "ok": bool(result.ok),
        "diagnostics": [diagnostic_json(d) for d in result.diagnostics],
        "static_report": report,
    }


def compiled_or_diagnostics(source: str):
    """(program, []) when the source checks, else (None, diagnostics)."""
    result = rules.check(source, FILENAME)
    diagnostics = [diagnostic_json(d) for d in result.diagnostics]
    if not result.ok or result.program is None:
        return None, diagnostics
    return result.program, diagnostics


def run_examples(source: str) -> dict[str, Any]:
    program, diagnostics = compiled_or_diagnostics(source)
    if program is None:
        return {"ok": False, "diagnostics": diagnostics, "examples": []}
    return {"ok": True, "diagnostics": diagnostics,
            "examples": [example_json(r) for r in program.run_examples()]}


_WORD_TERMINAL = re.compile(r"^[A-Z_]+(?:\.\d+)?:\s*/([a-z|()?]+)\(\?!\[A-Za-z0-9_\]\)/", re.M)


def _expand(pattern: str) -> list[str]:
    """The words a small keyword regex matches: `days?` → days, day; `(a|b)` → a, b."""
    if "(" in pattern:
        start, end = pattern.index("("), pattern.index(")")
        return [word for alternative in pattern[start + 1:end].split("|")
                for word in _expand(pattern[:start] + alternative + pattern[end + 1:])]
    if "?" in pattern:
        at = pattern.index("?")
        with_char, without = pattern[:at] + pattern[at + 1:], pattern[:at - 1] + pattern[at + 1:]
        return _expand(with_char) + _expand(without)
    return [pattern]


@cache
def keywords() -> tuple[str, ...]:
    """Every word the grammar reserves, read from the grammar itself so the editor never drifts:
    quoted literals and the small word patterns (`days?`, `(fulfillment|payment)`)."""
    grammar = load_grammar()
    words = set(re.findall(r'"([a-z][a-z_]*)"', grammar))
    for pattern in _WORD_TERMINAL.findall(grammar):
        words.update(_expand(pattern))
    return tuple(sorted(words))


def gallery() -> list[dict[str, str]]:
    """The ready programs under `examples/`, each with its first comment line as description."""
    programs = []
    for path in example_programs(EXAMPLES_DIR):
        raw = path.read_bytes()
        if len(raw) > MAX_GALLERY_BYTES:
            continue
        source = raw.decode("utf-8")
        name = path.name.removesuffix(".rules")
        title_match = re.search(r'^program\s+"([^"]+)"', source, re.MULTILINE)
        comment = next((line.lstrip("# ").strip() for line in source.splitlines()
                        if line.startswith("#") and line.strip("# ")), "")
        programs.append({
            "name": name,
            "title": title_match.group(1) if title_match else name.replace("_", " "),
            "description": comment,
            "source": source,
        })
    return programs


@cache
def _fact_names() -> tuple[dict[str, str], ...]:
    names = [{"name": name, "type": str(fact.type), "doc": fact.doc}
             for name, fact in FACTS.items()]
    names += [{"name": alias, "type": str(FACTS[target].type), "doc": f"same as {target}"}
              for alias, target in ALIASES.items() if target in FACTS]
    names += [{"name": f"line.{name}", "type": str(kind), "doc": "a field of an order line"}
              for name, (kind, _read) in LINE_FIELDS.items()]
    return tuple(sorted(names, key=lambda item: item["name"]))


def fact_names() -> list[dict[str, str]]:
    """The names a program may read, with their types, for completion and hover."""
    return list(_fact_names())
