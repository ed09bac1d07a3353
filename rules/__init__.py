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
    "Decision": "rules.evaluate.decision", "Percent": "rules.evaluate.decision",
    "Reward": "rules.evaluate.decision", "TraceStep": "rules.evaluate.decision",
    "ExprType": "rules.tools.expr_types", "expression_types": "rules.tools.expr_types",
    "ContestFacts": "rules.facts.model", "CustomerFacts": "rules.facts.model",
    "Facts": "rules.facts.model", "LineFacts": "rules.facts.model",
    "OrderFacts": "rules.facts.model", "ReferralFacts": "rules.facts.model",
    "ReferrerFacts": "rules.facts.model", "Trigger": "rules.facts.model",
    "UsageFacts": "rules.facts.model",
    "FactsError": "rules.facts.codec", "facts_from_json": "rules.facts.codec",
    "facts_to_json": "rules.facts.codec",
    "Money": "rules.facts.money", "MoneyError": "rules.facts.money",
    "CheckResult": "rules.evaluate.program", "ExampleResult": "rules.evaluate.examples",
    "Program": "rules.evaluate.program", "check": "rules.evaluate.program",
    "compile_program": "rules.evaluate.program",
    "Diagnostic": "rules.source", "EvaluationError": "rules.source", "RulesError": "rules.source",
    "Span": "rules.source",
    "format_source": "rules.tools.formatter",  # a valid program's canonical layout (`fmt`)
}

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from rules.evaluate.decision import Decision, Percent, Reward, TraceStep
    from rules.evaluate.examples import ExampleResult
    from rules.evaluate.program import CheckResult, Program, check, compile_program
    from rules.facts.codec import FactsError, facts_from_json, facts_to_json
    from rules.facts.model import (
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
    from rules.facts.money import Money, MoneyError
    from rules.source import Diagnostic, EvaluationError, RulesError, Span
    from rules.tools.expr_types import ExprType, expression_types
    from rules.tools.formatter import format_source


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # a submodule (`rules.tools.expr_types`), as after an eager `import rules`
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


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
