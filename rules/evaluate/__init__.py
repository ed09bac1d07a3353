"""Phase 3, evaluation: a checked program and one event's facts → a `Decision`. The interpreter
(which explains) and the compiler (which is fast) must agree; a guard, per-order caps and the
program's limits and budgets bound what they give.
"""

from rules.evaluate.decision import Decision, Percent, Reward, TraceStep
from rules.evaluate.examples import ExampleResult
from rules.evaluate.program import (
    MAX_SOURCE_CHARS,
    CheckResult,
    Program,
    check,
    compile_program,
)

__all__ = [
    "MAX_SOURCE_CHARS", "CheckResult", "Decision", "ExampleResult", "Percent", "Program",
    "Reward", "TraceStep", "check", "compile_program",
]
