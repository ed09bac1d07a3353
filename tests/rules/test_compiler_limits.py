"""The compiled path keeps the sandbox: the step limit holds with the interpreter's meaning,
merchant text is only ever data, and one compiled program serves many threads at once."""

from __future__ import annotations

import inspect
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from facts_strategies import facts_for
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rules_strategies import programs

import rules
import rules.evaluate.compile_aggregate
import rules.evaluate.compile_cost
import rules.evaluate.compile_expr
import rules.evaluate.compile_facts
import rules.evaluate.compiler
import rules.evaluate.rewards
from rules import Facts, LineFacts, Money, OrderFacts, ReferralFacts, Trigger
from rules.evaluate.compile_cost import at, rule_steps
from rules.evaluate.compiler import CompiledEvaluator
from rules.evaluate.interpreter import Interpreter
from rules.source import EvaluationError

NESTED = """program "nested" currency USD
on order paid when referred:
    give referrer sum(line.total for line in lines \
        where all(other.quantity >= 1 for other in lines))
"""


def _order(lines: int) -> Facts:
    price = Money.of(10, "USD")
    items = tuple(LineFacts(product=f"p{i}", quantity=1, unit_price=price, total_price=price,
                            sku=f"S{i % 7}") for i in range(lines))
    total = Money.of(10 * lines, "USD")
    order = OrderFacts(id="o", currency="USD", total=total, subtotal=total,
                       shipping=Money.zero("USD"), channel="web", lines=items)
    return Facts(trigger=Trigger.ORDER_PAID, now=datetime(2026, 3, 1, tzinfo=UTC),
                 channel="web", currency="USD", order=order,
                 referral=ReferralFacts(is_referred=True))


def _outcome(run, facts: Facts):
    try:
        return ("rewards", run(facts).rewards)
    except EvaluationError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("max_steps", [10, 60, 200, 500])
def test_the_step_limit_means_the_same_on_both_paths(max_steps: int) -> None:
    program = rules.compile_program(NESTED)
    reference = Interpreter(program.node, program.currency, list(program.rules),
                            max_steps=max_steps)
    compiled = CompiledEvaluator(program.node, program.currency, list(program.rules), reference)
    outcomes = []
    for lines in range(0, 60, 4):
        facts = _order(lines)
        expected = _outcome(lambda f: reference.run(f, record=False), facts)
        assert _outcome(compiled.run, facts) == expected
        outcomes.append(expected[0])
    assert "error" in outcomes  # the limit was really reached along the way


def test_a_huge_order_stops_at_the_step_limit() -> None:
    program = rules.compile_program(NESTED)
    with pytest.raises(EvaluationError, match="steps"):
        program.evaluate(_order(400))  # 400 x 400 comparisons: far beyond 100,000 steps
    assert program.evaluate(_order(20)).rewards  # a normal order is decided on the fast path


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(programs(), st.data())
def test_the_static_step_bound_is_never_exceeded(source: str, data) -> None:
    # The compiled path counts no steps because this bound is an upper bound of the count.
    result = rules.check(source)
    assume(result.ok)
    program = result.program
    triggers = sorted(program.triggers, key=lambda t: t.value)
    facts = data.draw(facts_for(program.currency, triggers, max_lines=12))
    assume(facts.currency == program.currency)
    caps = [i.cap for i in program.node.items if isinstance(i, rules.syntax.ast.LimitDecl)
            and i.kind == "per_order"]
    rule_nodes = [i for i in program.node.items if isinstance(i, rules.syntax.ast.Rule)
                  and i.trigger.trigger is facts.trigger]
    lines = len(facts.order.lines) if facts.order else 0
    bound = sum(at(rule_steps(r), lines) for r in rule_nodes) + sum(
        at(rules.evaluate.compile_cost.expr_steps(c), lines) for c in caps)
    exact = Interpreter(program.node, program.currency, list(program.rules), max_steps=bound)
    exact.run(facts, record=False)  # raises EvaluationError if it needed more steps
    if bound > 0:
        tight = Interpreter(program.node, program.currency, list(program.rules),
                            max_steps=bound - 1)
        compiled = CompiledEvaluator(program.node, program.currency, list(program.rules), tight)
        assert _outcome(compiled.run, facts) == _outcome(
            lambda f: tight.run(f, record=False), facts)


def test_merchant_text_is_data_never_code() -> None:
    source = ('program "p" currency USD\n'
              'on order paid when channel == "__import__(\'os\').system(\'false\')":\n'
              '    give referrer 5 USD\n')
    program = rules.compile_program(source)
    facts = _order(1)
    assert program.evaluate(facts).rewards == ()
    odd = Facts(trigger=facts.trigger, now=facts.now, currency="USD", order=facts.order,
                channel="__import__('os').system('false')", referral=facts.referral)
    assert [r.amount for r in program.evaluate(odd).rewards] == [Money.of(5, "USD")]


@pytest.mark.parametrize("module", [
    rules.evaluate.compiler, rules.evaluate.compile_expr, rules.evaluate.rewards,
    rules.evaluate.compile_cost, rules.evaluate.compile_aggregate, rules.evaluate.compile_facts])
def test_the_compiler_generates_no_source_text(module) -> None:
    code = inspect.getsource(module)
    builtins = re.search(r"(?<!def )(?<![.\w])(eval|exec|compile)\(|__import__", code)
    assert builtins is None, builtins


def test_one_compiled_program_serves_many_threads() -> None:
    program = rules.compile_program(
        'program "p" currency USD\n'
        "on order paid when referred:\n"
        "    let shoes = sum(line.total for line in lines where line.sku == \"S1\")\n"
        "    give referrer tier order_total: 200+ -> 20 USD, else -> 10% max 15 USD\n"
        "    give referee 5% of shoes\n"
        "limit reward at most 20% of order_total\n")
    cases = [_order(n) for n in range(1, 40)]
    expected = [program.evaluate(f).rewards for f in cases]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            assert list(pool.map(lambda f: program.evaluate(f).rewards, cases)) == expected
    with pytest.raises(AttributeError):
        program._compiled._caps = ()  # nothing to change after construction
