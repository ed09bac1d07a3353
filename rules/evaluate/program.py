"""The checked, immutable Program and the phases that make one: parse → check → Program.

A Program is safe to share between threads (nothing in it changes after construction) and is
cached by the hash of its source.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rules.checker import (
    BudgetInfo,
    Checker,
    CheckOutcome,
    ContestInfo,
    Cost,
    ExampleInfo,
    LimitInfo,
    RuleInfo,
    order_cap,
)
from rules.evaluate.ab_tests import (
    ABTestInfo,
    ab_test_diagnostics,
    ab_test_info,
    ab_test_of,
    expanded,
    merged,
)
from rules.evaluate.compiler import CompiledEvaluator
from rules.evaluate.decision import Decision
from rules.evaluate.examples import ExampleResult, run_example
from rules.evaluate.guard import Guard
from rules.evaluate.interpreter import Interpreter
from rules.evaluate.limits import decision_limited
from rules.facts import ORDER_TRIGGERS, Facts, Money, MoneyError, Trigger, is_currency
from rules.source import Diagnostic, EvaluationError, RulesError, Span
from rules.syntax import BOM, ast, parse, parse_recovering

MAX_SOURCE_CHARS = 200_000


class Program:
    """A program that passed the checker. Evaluate it with facts of one event."""

    __slots__ = ("_compiled_cache", "_costs", "_counted", "_exceeding", "_interpreter",
                 "_variants", "_warnings", "ab_test", "budgets", "ceiling_declared", "contests",
                 "currency", "examples", "filename", "limits", "name", "node", "rules",
                 "source", "source_hash")

    name: str  # the header's name, else the file name
    currency: str | None  # the header's, else the one the amounts use, else None (the facts')
    source: str
    source_hash: str  # sha256 of the source: the cache key and a decision's version
    filename: str
    node: ast.ProgramNode
    rules: tuple[RuleInfo, ...]
    limits: tuple[LimitInfo, ...]
    budgets: tuple[BudgetInfo, ...]
    contests: tuple[ContestInfo, ...]
    examples: tuple[ExampleInfo, ...]
    ceiling_declared: Decimal | None  # `ceiling 1000 USD`, else None (the currency's default)
    ab_test: ABTestInfo | None  # its A/B test; the rest describes the first (control) variant

    def __init__(self, source: str, filename: str, outcome: CheckOutcome,
                 ab_test: ABTestInfo | None = None,
                 variants: dict[str, Program] | None = None) -> None:
        init = functools.partial(object.__setattr__, self)
        init("ab_test", ab_test)
        init("_variants", variants or {})
        init("source", source)
        init("filename", filename)
        init("source_hash", source_hash(source))
        init("node", outcome.node)
        header = outcome.node.header
        init("name", header.name if header else filename.rsplit("/", 1)[-1])
        init("currency", outcome.currency)
        init("rules", tuple(outcome.rules))
        init("limits", tuple(outcome.limits))
        init("budgets", tuple(outcome.budgets))
        init("contests", tuple(outcome.contests))
        init("examples", tuple(outcome.examples))
        init("_costs", dict(outcome.costs))
        init("_exceeding", tuple(outcome.exceeding))
        init("_warnings", tuple(d for d in outcome.diagnostics if not d.is_error))
        init("ceiling_declared", outcome.ceiling)
        # per-person limits or budgets to cut by; without them evaluation skips that step
        init("_counted", bool(self.budgets) or any(lim.kind == "per_person"
                                                   for lim in self.limits))
        guard = Guard(outcome.ceiling, dict(outcome.bounds))
        init("_interpreter", Interpreter(outcome.node, self.currency, list(outcome.rules),
                                         guard=guard))
        # The fast path means what the interpreter means (tests/rules/test_compiler_*.py).
        # Compiled on first evaluation: `check` (the editor's path) stays parse + check.
        init("_compiled_cache", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Program is immutable")

    def __repr__(self) -> str:
        return f"<Program {self.name!r} {self.source_hash[:12]}>"

    @property
    def triggers(self) -> set[Trigger]:
        return {rule.trigger for rule in self.rules}

    def ceiling(self, currency: str | None = None) -> Money | None:
        """The most one reward may be worth in `currency` (default: the program's): declared
        with `ceiling …`, else the currency's default (ceiling.py). None when neither the
        program nor the caller names a currency."""
        currency = currency or self.currency
        if currency is None or not is_currency(currency):
            return None
        return self._interpreter.guard.ceiling_for(currency)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self._warnings

    def variant_program(self, name: str) -> Program:
        """The program the customers of variant `name` get (itself when no test runs)."""
        return self._variants[name] if self.ab_test is not None else self

    def evaluate(self, facts: Facts) -> Decision:
        """The rewards for these facts (no trace). Raises `EvaluationError` when the facts'
        currency is not the program's or the step limit is hit. With an A/B test, the rewards of
        the variant the customer is in (`ab_test.variant_for(facts)` names it)."""
        if self.ab_test is not None:
            return self._variants[self.ab_test.variant_for(facts)].evaluate(facts)
        compiled = self._compiled_cache
        if compiled is None:
            compiled = self._compiled
        try:
            decision = compiled.run(facts, self.source_hash)
        except MoneyError as exc:  # facts that mix currencies
            raise EvaluationError(f"cannot evaluate these facts: {exc}") from exc
        return self._limited(decision, facts)

    def _limited(self, decision: Decision, facts: Facts) -> Decision:
        """Per-person limits and budgets against what `facts.usage` already counted: the one
        procedure every caller goes through (rules/evaluate/limits.py)."""
        if not self._counted or not (decision.rewards or decision.refused):
            return decision
        return decision_limited(decision, limits=self.limits, budgets=self.budgets, facts=facts)

    @property
    def _compiled(self) -> CompiledEvaluator:
        compiled = self._compiled_cache
        if compiled is None:  # two threads may both compile; either result is the same
            compiled = CompiledEvaluator(self.node, self.currency, list(self.rules),
                                         self._interpreter)
            object.__setattr__(self, "_compiled_cache", compiled)
        return compiled

    def explain(self, facts: Facts) -> Decision:
        """Like `evaluate`, with the trace of every condition and nearest-miss hints."""
        if self.ab_test is not None:
            return self._variants[self.ab_test.variant_for(facts)].explain(facts)
        decision = self._interpreter.run(facts, record=True, program_hash=self.source_hash)
        return self._limited(decision, facts)

    def run_examples(self) -> list[ExampleResult]:
        if self.ab_test is None:
            return [run_example(self, item) for item in self.node.items
                    if isinstance(item, ast.Example)]
        node, _ = parse(self.source)  # the examples outside the test run as any customer's
        test = ab_test_of(node)  # type: ignore[arg-type]
        results = [run_example(self, item) for item in node.items  # type: ignore[union-attr]
                   if isinstance(item, ast.Example)]
        for variant in test.variants if test else ():  # a variant's own on that variant
            results += [run_example(self._variants[variant.name], item)
                        for item in variant.examples]
        return sorted(results, key=lambda result: result.line)

    def static_report(self) -> dict[str, Any]:
        """Worst-case reward cost of one order per trigger (Money, or None when it grows with the
        order or cannot be bounded), rewards that can exceed the order total, and warnings."""
        costs = {trigger: self._capped(cost, trigger in ORDER_TRIGGERS)
                 for trigger, cost in self._costs.items()}
        currency = self.currency
        worst: dict[str, Money | None] = {}
        for trigger, cost in costs.items():
            bounded = cost.money_only and currency and is_currency(currency)
            worst[trigger.value] = Money.of(cost.fixed, currency) if bounded else None
        return {
            "worst_case_cost": worst,
            "worst_case_text": {t.value: c.text(currency) for t, c in costs.items()},
            "rules_exceeding_total": list(self._exceeding),
            "ceiling": self.ceiling(),
            "ceiling_declared": self.ceiling_declared is not None,  # else the currency's default
            "warnings": [d.render(self.source) for d in self._warnings],
        }

    def _capped(self, cost: Cost, has_order: bool) -> Cost:
        for limit, item in zip(self.limits, _limit_nodes(self.node), strict=True):
            if limit.kind != "per_order" or limit.recipient is not None or item.cap is None:
                continue
            fixed, percent = order_cap(item.cap)
            if fixed is not None:
                cost = cost.amounts_capped(fixed)
            elif percent is not None and has_order:  # a share caps nothing without an order
                cost = cost.capped_percent(percent)
        return cost


def _limit_nodes(node: ast.ProgramNode) -> list[ast.LimitDecl]:
    return [i for i in node.items if isinstance(i, ast.LimitDecl)]


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class CheckResult:
    program: Program | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.program is not None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def render(self, source: str) -> str:
        return "\n".join(d.render(source) for d in self.diagnostics)


def check(source: str, filename: str = "program.rules") -> CheckResult:
    """Parse and check; never raises on bad input. Cached by (source hash, filename)."""
    if not isinstance(source, str):
        raise TypeError("source must be str")
    source = source.removeprefix(BOM)  # an editor's byte-order mark is no part of the program
    cached = _check_cached(source_hash(source), source, filename)
    return CheckResult(cached.program, list(cached.diagnostics))  # callers may edit the list


@functools.lru_cache(maxsize=256)
def _check_cached(_hash: str, source: str, filename: str) -> CheckResult:
    return _check(source, filename)


def _check(source: str, filename: str) -> CheckResult:
    if len(source) > MAX_SOURCE_CHARS:
        diag = Diagnostic.at(Span(1, 1, 1, 2), f"program too long: {len(source)} characters "
                             f"(limit {MAX_SOURCE_CHARS})", filename=filename)
        return CheckResult(None, [diag])
    try:
        node, diagnostics, rest = parse_recovering(source, filename)
        if node is None:
            if rest is not None:  # the items without syntax errors still get checked
                checked = Checker(filename).program(rest).diagnostics
                diagnostics += [d for d in checked if d.is_error]
            diagnostics.sort(key=lambda d: (d.line, d.column))
            return CheckResult(None, diagnostics)
        test = ab_test_of(node)
        if test is not None:
            return _check_ab_test(source, filename, node, test)
        outcome = Checker(filename).program(node)
    except RecursionError:
        diag = Diagnostic.at(Span(1, 1, 1, 2), "program nests too deeply", filename=filename)
        return CheckResult(None, [diag])
    diagnostics = sorted(outcome.diagnostics, key=lambda d: (d.line, d.column))
    if any(d.is_error for d in diagnostics):
        return CheckResult(None, diagnostics)
    return CheckResult(Program(source, filename, outcome), diagnostics)


def _check_ab_test(source: str, filename: str, node: ast.ProgramNode,
                   test: ast.ABTest) -> CheckResult:
    """Each variant's expansion checked as a program of its own; one Program that evaluates
    the variant of each customer (and otherwise describes the first, the control)."""
    outcomes = [(v.name, Checker(filename).program(expanded(node, v))) for v in test.variants]
    found = ab_test_diagnostics(node, filename)
    for _name, outcome in outcomes:
        found += outcome.diagnostics
    diagnostics = sorted(merged(found), key=lambda d: (d.line, d.column))
    if any(d.is_error for d in diagnostics):
        return CheckResult(None, diagnostics)
    variants = {name: Program(source, filename, outcome) for name, outcome in outcomes}
    info = ab_test_info(test)
    return CheckResult(Program(source, filename, outcomes[0][1], info, variants), diagnostics)


def compile_program(source: str, filename: str = "program.rules") -> Program:
    """The Program, or `RulesError` with every diagnostic."""
    result = check(source, filename)
    if result.program is None:
        raise RulesError(result.diagnostics, source)
    return result.program
