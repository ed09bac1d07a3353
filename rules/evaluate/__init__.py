"""Phase 3, evaluation: a checked program and one event's facts → a `Decision`. The interpreter
(which explains) and the compiler (which is fast) must agree; a guard, per-order caps and the
program's limits and budgets bound what they give.

Loaded on first use (PEP 562), as `rules` is: the app reads `Reward` or `Decision` without
loading the parser and checker that `Program` needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Decision": "rules.evaluate.decision", "Percent": "rules.evaluate.decision",
    "Reward": "rules.evaluate.decision", "TraceStep": "rules.evaluate.decision",
    "ExampleResult": "rules.evaluate.examples",
    "MAX_SOURCE_CHARS": "rules.evaluate.program", "CheckResult": "rules.evaluate.program",
    "Program": "rules.evaluate.program", "check": "rules.evaluate.program",
    "compile_program": "rules.evaluate.program",
}

if TYPE_CHECKING:
    from rules.evaluate.decision import Decision, Percent, Reward, TraceStep
    from rules.evaluate.examples import ExampleResult
    from rules.evaluate.program import (
        MAX_SOURCE_CHARS,
        CheckResult,
        Program,
        check,
        compile_program,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # a submodule: `from rules.evaluate import limits` imports it
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "MAX_SOURCE_CHARS", "CheckResult", "Decision", "ExampleResult", "Percent", "Program",
    "Reward", "TraceStep", "check", "compile_program",
]
