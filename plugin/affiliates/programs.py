"""A partner's commission program: rules-language source that gives only to `affiliate`, checked
before it is stored and compiled once per source (programs are immutable and cached)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import rules
from plugin.programs.reports import diagnostic_json
from plugin.programs.selectors import compiled_cache
from rules.evaluate.program import source_hash
from rules.syntax.ast import Give

FILENAME = "commission.rules"
# Reward kinds a commission may be: money (an amount, or a percent of a base).
COMMISSION_KINDS = {"amount"}


@cache
def default_program() -> str:
    """The ready `affiliate_commission` example: 8 % of full-price goods, 4 % of sale goods,
    held 30 days after fulfilment."""
    return (resources.files("examples") / "affiliate_commission.rules").read_text("utf-8")


def _gives(node: Any) -> Iterator[Give]:
    """Every `give` in a checked program's syntax tree."""
    if isinstance(node, Give):
        yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for item in dataclasses.fields(node):
            yield from _gives(getattr(node, item.name))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _gives(item)


def _problem(give: Give, message: str) -> dict[str, Any]:
    span = give.span
    return {"severity": "error", "message": message, "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column, "hint": None}


def commission_program_check(source: str) -> list[dict[str, Any]]:
    """The diagnostics of a commission program; errors when it does not check, or gives
    anything other than money to anyone other than `affiliate`. Empty: it may be stored."""
    result = rules.check(source, FILENAME)
    diagnostics = [diagnostic_json(d) for d in result.diagnostics]
    if not result.ok or result.program is None:
        return diagnostics
    for give in _gives(result.program.node):
        if give.recipient != "affiliate":
            diagnostics.append(_problem(
                give, f"a partner's program gives only to affiliate, not to {give.recipient}"))
        specs = [arm.give.reward for arm in give.reward.arms] if hasattr(
            give.reward, "arms") else [give.reward]
        if any(getattr(spec, "kind", "amount") not in COMMISSION_KINDS for spec in specs):
            diagnostics.append(_problem(give, "a commission is money (an amount or a percent)"))
    return diagnostics


def commission_program(source: str):
    """The compiled program of stored (already checked) commission source."""
    return compiled_cache.get_or_compile(key=source_hash(source), source=source)
