"""Parsing JSON that came from outside: refused with a reason, never a RecursionError.

Python's JSON decoder recurses once per nesting level, so `[[[[…` a hundred thousand deep
raises RecursionError, and a body that parses just below the interpreter's limit still breaks
whatever walks it later (storing it, mapping it). No genuine Saleor delivery or dashboard
request nests anywhere near MAX_DEPTH; `NaN`, `Infinity` and numbers that overflow a float are
not JSON a peer means either, nor is a NUL character, which PostgreSQL cannot store.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64


class JsonRefused(ValueError):
    """The text is not JSON this app accepts; `reason` says why in a sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"has a number out of range ({name})")


def _has_lone_surrogate(text: str) -> bool:
    """`"\\ud800"` is valid JSON yet no UTF-8 text: it breaks whatever encodes it later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _problem(value: Any, max_depth: int) -> str | None:
    """Walks the parsed value with an explicit stack (no recursion of its own)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                return "nests too deeply"
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, float) and not math.isfinite(item):
            return "has a number out of range"
        elif isinstance(item, str):
            if "\x00" in item:
                return "contains a NUL character"  # PostgreSQL stores no NUL in text or JSON
            if not item.isascii() and _has_lone_surrogate(item):
                return "contains a lone surrogate (not Unicode text)"
    return None


def json_loads_bounded(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed value, or JsonRefused: not JSON, not UTF-8, too deep, or a number out of range."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw  # RFC 8259: UTF-8 only
    except UnicodeDecodeError as exc:
        raise JsonRefused("is not UTF-8") from exc
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise JsonRefused("nests too deeply") from exc
    except JsonRefused:
        raise
    except ValueError as exc:  # JSONDecodeError, and integers longer than Python converts
        raise JsonRefused(f"is not JSON ({str(exc)[:120]})") from exc
    problem = _problem(value, max_depth)
    if problem:
        raise JsonRefused(problem)
    return value
