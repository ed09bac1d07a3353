"""Caps and budgets, enforced atomically with one locked counter row per scope and period.

The program states its limits as data (`Program.limits`, `Program.budgets`); what each cuts is
decided by the language's one procedure (`rules.evaluate.limits`), from the counter rows read under
lock, so two orders paid at the same moment cannot both take the last slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from plugin.rewards.models import UsageCounter
from rules.evaluate.limits import counted_money, limits_cut, period_of
from rules.evaluate.limits import period_key as rules_period_key
from rules.facts import UsageFacts
from rules.facts.money import Money

# Always counted, so that `referrer.rewards_this_month` and `spent_this_month` are what the
# ledger says even when the program declares no such limit or budget.
ALWAYS_COUNTED = (("referrer", "month"), ("budget", "month"))


def period_key(*, period: str | None, now: datetime) -> str:
    """The bucket a moment falls in: "2026-11" for a month, "2026-W47" for a week, …"""
    return rules_period_key(period, now)


def usage_lock(*, installation, scope: str, period: str) -> UsageCounter:
    """The counter row for a scope and period, created if needed and locked until commit."""
    UsageCounter.objects.bulk_create(
        [UsageCounter(installation=installation, scope=scope, period=period)],
        ignore_conflicts=True,  # a concurrent creator wins quietly; we lock the row either way
    )
    return UsageCounter.objects.select_for_update().get(
        installation=installation, scope=scope, period=period
    )


@dataclass(frozen=True)
class Usage:
    """What `usage_take_reward` did: the limit it would break (nothing counted), or what it
    counted."""

    broken: str | None = None
    counted: tuple[tuple[str, str], ...] = ()  # (scope, period) pairs raised


def usage_release(*, installation, counted: list, amount: Decimal) -> None:
    """Give back what a reward counted (it was voided before paying out): caps count payouts."""
    for scope, period in counted:
        UsageCounter.objects.filter(installation=installation, scope=scope, period=period).update(
            count=F("count") - 1, amount=F("amount") - amount
        )


def _counters(*, program: Any, people: dict[str, str]) -> list[tuple[str, str, str]]:
    """(scope, usage key, period) of every counter the program's limits and budgets read for
    these people (role → normalised e-mail); "budget" is the program's own spend."""
    wanted = {(role, period) for role, period in ALWAYS_COUNTED}
    for limit in getattr(program, "limits", None) or ():
        if limit.kind == "per_person" and limit.count is not None:
            wanted.add((limit.recipient, period_of(limit.period)))
    for budget in getattr(program, "budgets", None) or ():
        wanted.add(("budget", period_of(budget.period)))
    found = []
    for role, period in sorted(wanted):
        if role == "budget":
            found.append(("budget", role, period))
        elif people.get(role):
            found.append((f"{role}:{people[role]}", role, period))
    return found


def usage_read_locked(*, installation, program: Any, people: dict[str, str], now: datetime,
                      currency: str) -> UsageFacts:
    """What the program's limits and budgets already counted for these people in the periods
    holding `now`, as facts; the rows stay locked until the caller's transaction ends."""
    rewards: list[tuple[str, str, int]] = []
    spent: list[tuple[str, Money]] = []
    counters = _counters(program=program, people=people)
    # Lock in a stable order so two orders touching the same counters cannot deadlock.
    for scope, role, period in sorted(counters, key=lambda c: (c[0], period_key(
            period=c[2], now=now))):
        row = usage_lock(installation=installation, scope=scope,
                         period=period_key(period=period, now=now))
        if role == "budget":
            spent.append((period, Money.of(row.amount, currency)))
        else:
            rewards.append((role, period, row.count))
    return UsageFacts(tuple(rewards), tuple(spent))


def usage_count(*, installation, program: Any, role: str, email: str, amount: Decimal,
                now: datetime) -> tuple[tuple[str, str], ...]:
    """Count one recorded reward on every counter it belongs to; returns the (scope, period)
    pairs raised, for `usage_release`."""
    raised = []
    for scope, counter_role, period in _counters(program=program, people={role: email}):
        if counter_role not in (role, "budget"):
            continue
        key = period_key(period=period, now=now)
        # every row counts both, as `usage_release` gives both back
        UsageCounter.objects.filter(installation=installation, scope=scope, period=key).update(
            count=F("count") + 1, amount=F("amount") + amount)
        raised.append((scope, key))
    return tuple(raised)


def usage_take_reward(*, installation, program: Any, reward: Any, email: str, now: datetime,
                      currency: str) -> Usage:
    """Check one reward against the program's limits and budgets (the rows locked), then count
    it: `Usage.broken` is the reason it is cut (nothing counted)."""
    with transaction.atomic():
        usage = usage_read_locked(installation=installation, program=program,
                                  people={reward.recipient: email}, now=now, currency=currency)
        outcome = limits_cut(limits=getattr(program, "limits", ()),
                             budgets=getattr(program, "budgets", ()), rewards=[reward],
                             review=(), usage=usage, currency=currency)
        if outcome.cut:
            return Usage(broken=outcome.cut[0].reason)
        return Usage(counted=usage_count(installation=installation, program=program,
                                         role=reward.recipient, email=email,
                                         amount=counted_money(reward), now=now))
