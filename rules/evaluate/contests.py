"""Contests when they run: who may enter (`entrants … where`, compiled) and the facts of
`on contest end` rules. The app calls these; evaluation stays pure. What an entrant condition
may read is checked in `rules.checker.decl_check`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from rules.evaluate.compiler import StatementCompiler
from rules.evaluate.program import Program
from rules.facts import ContestFacts, Facts, ReferralFacts, ReferrerFacts, Trigger
from rules.syntax import ast

EntrantTest = Callable[[ReferrerFacts, datetime], bool]


def contest_node(program: Program, name: str) -> ast.Contest | None:
    return next((item for item in program.node.items
                 if isinstance(item, ast.Contest) and item.name == name), None)


def entrant_test(program: Program, name: str) -> EntrantTest | None:
    """The contest's `entrants … where` condition as a test of one referrer's facts (compiled
    once), or None when every referrer may enter."""
    node = contest_node(program, name)
    if node is None or node.entrants_where is None:
        return None
    currency = program.currency
    held = StatementCompiler(currency).condition(node.entrants_where, frozenset())

    def admits(referrer: ReferrerFacts, now: datetime) -> bool:
        facts = Facts(trigger=Trigger.CONTEST_END, now=now, channel="",
                      currency=currency or _currency_of(referrer) or "USD",
                      referral=ReferralFacts(referrer=referrer))
        return held(facts, {})
    return admits


def _currency_of(referrer: ReferrerFacts) -> str | None:
    return referrer.total_spent.currency if referrer.total_spent is not None else None


def contest_end_facts(*, currency: str, contest: str, rank: int, score: Decimal, entrants: int,
                      referrer: ReferrerFacts, now: datetime, channel: str = "") -> Facts:
    """The facts of `on contest end` for one ranked entrant."""
    return Facts(
        trigger=Trigger.CONTEST_END, now=now, channel=channel, currency=currency,
        referral=ReferralFacts(referrer=referrer),
        contest=ContestFacts(name=contest, rank=rank, score=score, entrants=entrants),
    )
