"""Saleor Referrals' rules language: parse → check → evaluate programs merchants write.

Pure Python (no Django, no HTTP, no clock): `check` and `compile_program` turn source into an
immutable `Program`; `Program.evaluate(facts)` returns a `Decision`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# what each public name is imported from: loaded on first use (PEP 562), so `import rules` costs
# next to nothing and a command or worker loads only the parts it touches
_EXPORTS = {
    "Decision": "rules.decision", "Percent": "rules.decision", "Reward": "rules.decision",
    "TraceStep": "rules.decision",
    "ExprType": "rules.expr_types", "expression_types": "rules.expr_types",
    "ContestFacts": "rules.facts", "CustomerFacts": "rules.facts", "Facts": "rules.facts",
    "LineFacts": "rules.facts", "OrderFacts": "rules.facts", "ReferralFacts": "rules.facts",
    "ReferrerFacts": "rules.facts", "Trigger": "rules.facts", "UsageFacts": "rules.facts",
    "FactsError": "rules.facts_json", "facts_from_json": "rules.facts_json",
    "facts_to_json": "rules.facts_json",
    "Money": "rules.money", "MoneyError": "rules.money",
    "CheckResult": "rules.program", "ExampleResult": "rules.program", "Program": "rules.program",
    "check": "rules.program", "compile_program": "rules.program",
    "Diagnostic": "rules.source", "EvaluationError": "rules.source", "RulesError": "rules.source",
    "Span": "rules.source",
}

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from rules.decision import Decision, Percent, Reward, TraceStep
    from rules.expr_types import ExprType, expression_types
    from rules.facts import (
        ContestFacts,
        CustomerFacts,
        Facts,
        LineFacts,
        OrderFacts,
        ReferralFacts,
        ReferrerFacts,
        Trigger,
        UsageFacts,
    )
    from rules.facts_json import FactsError, facts_from_json, facts_to_json
    from rules.money import Money, MoneyError
    from rules.program import CheckResult, ExampleResult, Program, check, compile_program
    from rules.source import Diagnostic, EvaluationError, RulesError, Span


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # a submodule (`rules.expr_types`), as after an eager `import rules`
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def format_source(source: str) -> str:
    """Canonical, idempotent layout of a valid program (`referrals fmt`); raises RulesError."""
    from rules.formatter import format_source as _format

    return _format(source)


__all__ = [
    "CheckResult",
    "ContestFacts",
    "CustomerFacts",
    "Decision",
    "Diagnostic",
    "EvaluationError",
    "ExampleResult",
    "ExprType",
    "Facts",
    "FactsError",
    "LineFacts",
    "Money",
    "MoneyError",
    "OrderFacts",
    "Percent",
    "Program",
    "ReferralFacts",
    "ReferrerFacts",
    "Reward",
    "RulesError",
    "Span",
    "TraceStep",
    "Trigger",
    "UsageFacts",
    "check",
    "compile_program",
    "expression_types",
    "facts_from_json",
    "facts_to_json",
    "format_source",
]
