"""Contests seen from the language: who may enter (`entrants … where`), and the facts and
recipients of `on contest end` rules. The app calls these; evaluation stays pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from rules import ast
from rules.facts import ContestFacts, Facts, ReferralFacts, ReferrerFacts, Trigger

if TYPE_CHECKING:
    from rules.program import Program

# What an entrant condition may read: the entrant's own standing as a referrer.
ENTRANT_FACTS = ("referrer.orders", "referrer.total_spent", "referrer.referrals",
                 "referrer.paid_referrals")
# Who a contest ranks. Scores count the friends an entrant referred, so only referrers rank.
ENTRANT_KINDS = {"referrers": "referrer"}
UNRANKED_ENTRANTS = {
    "customers": "contests rank referrers by the friends they referred; customers who "
                 "referred nobody have no score",
    "affiliates": "affiliates are not ranked in contests yet",
}

EntrantTest = Callable[[ReferrerFacts, datetime], bool]


def names_in(expr: ast.Expr) -> Iterator[ast.Name]:
    """Every name an expression reads, left to right."""
    if isinstance(expr, ast.Name):
        yield expr
        return
    for field in dataclasses.fields(expr):
        value = getattr(expr, field.name)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if dataclasses.is_dataclass(child) and not isinstance(child, type) and hasattr(
                    child, "span") and not isinstance(child, ast.Give):
                yield from names_in(child)  # type: ignore[arg-type]


def gives_in(stmts: tuple[ast.Stmt, ...]) -> Iterator[ast.Give]:
    """Every `give` of a rule body, through if/elif/else and tier arms."""
    for stmt in stmts:
        if isinstance(stmt, ast.Give):
            yield stmt
            if isinstance(stmt.reward, ast.Tier):
                for arm in stmt.reward.arms:
                    yield from gives_in((arm.give,))
        elif isinstance(stmt, ast.If):
            for branch in stmt.branches:
                yield from gives_in(branch.body)
            if stmt.else_body:
                yield from gives_in(stmt.else_body)


def contest_node(program: Program, name: str) -> ast.Contest | None:
    return next((item for item in program.node.items
                 if isinstance(item, ast.Contest) and item.name == name), None)


def entrant_test(program: Program, name: str) -> EntrantTest | None:
    """The contest's `entrants … where` condition as a test of one referrer's facts (compiled
    once), or None when every referrer may enter."""
    node = contest_node(program, name)
    if node is None or node.entrants_where is None:
        return None
    from rules.compiler import _StatementCompiler  # the fast path (the compiler imports facts)

    currency = program.currency
    held = _StatementCompiler(currency).condition(node.entrants_where, frozenset())

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
