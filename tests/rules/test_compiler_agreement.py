"""The compiler agrees with the interpreter: same rewards, or the same error, on random programs
(conditions, arithmetic, tiers, aggregates over lines, lets, caps) and random facts, and on every
golden case and its example facts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from facts_strategies import facts_for
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rules_strategies import aggregate_programs, programs

import rules
from rules.evaluate.compiler import CompiledEvaluator
from rules.evaluate.examples import example_facts
from rules.evaluate.interpreter import Interpreter
from rules.evaluate.limits import decision_limited
from rules.evaluate.program import Program
from rules.facts import Facts, Trigger
from rules.syntax import ast

CASES = sorted((Path(__file__).parent / "cases").glob("*.rules"))
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.rules"))


def _thorough(examples: int):
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _outcome(evaluate, facts: Facts):
    """Rewards, or the kind and words of the error: both evaluators must say the same."""
    try:
        decision = evaluate(facts)
    except Exception as exc:  # any difference, even a crash, is a disagreement
        return ("error", type(exc).__name__, str(exc))
    return ("rewards", decision.rewards, decision.refused, decision.program_hash)


def assert_agree(program: Program, facts: Facts) -> None:
    if program.ab_test is not None:  # an A/B test: both evaluators of the facts' own variant
        name = program.ab_test.variant_for(facts)
        variant = program.variant_program(name)
        assert _outcome(program.evaluate, facts) == _outcome(variant.evaluate, facts), (
            program.source, facts)
        program = variant
    reference = Interpreter(program.node, program.currency, list(program.rules),
                            guard=program._interpreter.guard)
    expected = _outcome(lambda f: reference.run(f, record=False,
                                                program_hash=program.source_hash), facts)
    actual = _outcome(lambda f: program._compiled.run(f, program.source_hash), facts)
    assert actual == expected, f"{program.source}\n{facts}"
    if expected[0] == "rewards":  # the public path is the compiled one, then limits and budgets
        limited = decision_limited(reference.run(facts, record=False), limits=program.limits,
                                   budgets=program.budgets, facts=facts)
        assert program.evaluate(facts).rewards == limited.rewards
        # The checker's worst case of each rule is sound: no reward is ever over it.
        assert not [r for r in expected[2] if "worst case" in r.reason], (program.source, facts)


@_thorough(400)
@given(programs(), st.data())
def test_random_programs_agree_on_random_facts(source: str, data) -> None:
    result = rules.check(source)
    assume(result.ok)
    program = result.program
    triggers = sorted(program.triggers, key=lambda t: t.value)
    for facts in data.draw(st.lists(facts_for(program.currency, triggers), min_size=1,
                                    max_size=6)):
        assert_agree(program, facts)


@_thorough(60)
@given(programs(), st.data())
def test_random_programs_agree_on_orders_with_many_lines(source: str, data) -> None:
    result = rules.check(source)
    assume(result.ok)
    program = result.program
    triggers = sorted(program.triggers, key=lambda t: t.value)
    assert_agree(program, data.draw(facts_for(program.currency, triggers, max_lines=30)))


@_thorough(150)
@given(aggregate_programs(), st.data())
def test_aggregates_over_lines_agree(source: str, data) -> None:
    result = rules.check(source)
    assume(result.ok)
    program = result.program
    for facts in data.draw(st.lists(facts_for(program.currency, [Trigger.ORDER_PAID]),
                                    min_size=1, max_size=5)):
        assert_agree(program, facts)


def test_the_compiled_path_really_decides() -> None:
    # Program.evaluate goes through the compiled evaluator, not the interpreter.
    program = rules.compile_program(
        'program "p" currency USD\nif order_total > 500 give referrer 50 USD else 20%\n')
    assert isinstance(program._compiled, CompiledEvaluator)
    reference = Interpreter(program.node, program.currency, list(program.rules))
    facts = example_facts(program, _example(
        'example "e":\n    order_total = 120 USD, referred\n    expect referrer gets 24 USD\n'))
    compiled = program._compiled.run(facts, program.source_hash)
    assert compiled.rewards == reference.run(facts, record=False).rewards
    assert [r.amount for r in compiled.rewards] == [rules.Money.of("24", "USD")]
    assert compiled.trace == ()  # no explanation is recorded on the fast path


def _example(text: str) -> ast.Example:
    from rules.syntax.parser import parse

    node, diagnostics = parse(text)
    assert node is not None, diagnostics
    return node.items[0]  # type: ignore[return-value]


def _valid_programs(paths: list[Path]) -> list[tuple[str, Program]]:
    found = []
    for path in paths:
        result = rules.check(path.read_text(), path.name)
        if result.ok:
            found.append((path.name, result.program))
    return found


GOLDEN = _valid_programs(CASES) + _valid_programs(EXAMPLES)


def test_there_are_golden_programs_to_compare() -> None:
    assert len(GOLDEN) >= 40


@pytest.mark.parametrize(("name", "program"), GOLDEN, ids=[name for name, _ in GOLDEN])
def test_golden_programs_agree_on_their_own_examples(name: str, program: Program) -> None:
    for item in program.node.items:
        if isinstance(item, ast.Example):
            assert_agree(program, example_facts(program, item))


@_thorough(300)
@given(st.sampled_from(GOLDEN), st.data())
def test_golden_programs_agree_on_random_facts(named: tuple[str, Program], data) -> None:
    _, program = named
    triggers = sorted(program.triggers, key=lambda t: t.value)
    currency = program.currency or "USD"
    for facts in data.draw(st.lists(facts_for(currency, triggers), min_size=1, max_size=4)):
        assert_agree(program, facts)
