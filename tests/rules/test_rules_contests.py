"""Contests in the language: the entrant condition as a test of a referrer's standing, and
`on contest end` rules deciding the same on the compiled path as in the interpreter."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_compiler_agreement import assert_agree

import rules
from rules.evaluate.contests import contest_end_facts, entrant_test
from rules.facts import ReferrerFacts
from rules.facts.money import Money

CASES = Path(__file__).parent / "cases"
PROGRAM = rules.compile_program((CASES / "contest_end_rules.rules").read_text())
NOW = datetime(2026, 4, 1, tzinfo=UTC)

referrers = st.builds(
    ReferrerFacts,
    email=st.just("ann@example.com"),
    orders=st.integers(0, 5),
    total_spent=st.one_of(st.none(), st.integers(0, 4000).map(
        lambda cents: Money.of(Decimal(cents) / 100, "USD"))),
    referrals=st.integers(0, 5),
    paid_referrals=st.integers(0, 5),
)


@settings(deadline=None)  # a busy CI machine is no defect
@given(referrers)
def test_the_entrant_condition_reads_the_referrers_standing(referrer: ReferrerFacts):
    admits = entrant_test(PROGRAM, "March")
    spent = referrer.total_spent.amount if referrer.total_spent else Decimal(0)
    assert admits(referrer, NOW) == (referrer.orders >= 1 and spent >= 20)


def test_a_contest_without_a_condition_admits_everyone():
    program = rules.compile_program(
        'program "x" currency USD\ncontest "Open" from 2026-03-01 to 2026-03-31:\n'
        '    score referrals.paid\n    prize 1: 5 USD\n')
    assert entrant_test(program, "Open") is None
    assert entrant_test(PROGRAM, "No such contest") is None


@settings(deadline=None)
@given(name=st.sampled_from(["March", "April", ""]), rank=st.integers(1, 60),
       score=st.integers(0, 30), entrants=st.integers(1, 60), referrer=referrers)
def test_contest_end_rules_agree_with_the_interpreter(name, rank, score, entrants, referrer):
    facts = contest_end_facts(currency="USD", contest=name, rank=rank, score=Decimal(score),
                              entrants=entrants, referrer=referrer, now=NOW)
    assert_agree(PROGRAM, facts)
    points = [r.points for r in PROGRAM.evaluate(facts).rewards if r.kind == "points"]
    assert points == ([100] if name == "March" and rank <= 10 else [])
