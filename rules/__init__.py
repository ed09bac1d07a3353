"""Saleor Referrals' rules language: parse → check → evaluate programs merchants write.

Pure Python (no Django, no HTTP, no clock): `check` and `compile_program` turn source into an
immutable `Program`; `Program.evaluate(facts)` returns a `Decision`.
"""

from __future__ import annotations

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
)
from rules.facts_json import FactsError, facts_from_json, facts_to_json
from rules.money import Money, MoneyError
from rules.program import CheckResult, ExampleResult, Program, check, compile_program
from rules.source import Diagnostic, EvaluationError, RulesError, Span


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
    "check",
    "compile_program",
    "expression_types",
    "facts_from_json",
    "facts_to_json",
    "format_source",
]
