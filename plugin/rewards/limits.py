"""Caps and budgets, enforced atomically with one locked counter row per scope and period.

The program states its limits as data (`Program.limits`, `Program.budgets`); the database
enforces them, so two orders paid at the same moment cannot both take the last slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from plugin.rewards.models import UsageCounter


def period_key(*, period: str | None, now: datetime) -> str:
    """The bucket a moment falls in: "2026-11" for a month, "2026-W47" for a week, …"""
    match (period or "").lower().rstrip("s"):
        case "day":
            return now.strftime("%Y-%m-%d")
        case "week":
            year, week, _ = now.isocalendar()
            return f"{year}-W{week:02d}"
        case "month":
            return now.strftime("%Y-%m")
        case "year":
            return now.strftime("%Y")
        case _:
            return "all"


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
class Limit:
    """One cap the database enforces: at most `count` rewards or `amount` money per period."""

    scope: str  # "budget", "referrer:<email>", "customer:<email>", …
    period: str | None
    count: int | None = None
    amount: Decimal | None = None
    label: str = ""


@dataclass(frozen=True)
class Usage:
    """What `usage_take` did: the limit it would break (nothing counted), or what it counted."""

    broken: str | None = None
    counted: tuple[tuple[str, str], ...] = ()  # (scope, period) pairs raised


def usage_take(*, installation, limits: list[Limit], amount: Decimal, now: datetime) -> Usage:
    """Count one reward of `amount` against every limit, all or nothing, in the caller's
    transaction; `Usage.broken` names the first limit it would break (then nothing counts)."""
    with transaction.atomic():
        rows = []
        # Lock in a stable order so two orders touching the same counters cannot deadlock.
        for limit in sorted(
            limits, key=lambda item: (item.scope, period_key(period=item.period, now=now))
        ):
            row = usage_lock(
                installation=installation,
                scope=limit.scope,
                period=period_key(period=limit.period, now=now),
            )
            if limit.count is not None and row.count + 1 > limit.count:
                return Usage(
                    broken=limit.label or f"at most {limit.count} rewards per {limit.period}"
                )
            if limit.amount is not None and row.amount + amount > limit.amount:
                return Usage(
                    broken=limit.label or f"budget of {limit.amount} per {limit.period} reached"
                )
            rows.append(row)
        for row in rows:
            UsageCounter.objects.filter(pk=row.pk).update(
                count=F("count") + 1, amount=F("amount") + amount
            )
    return Usage(counted=tuple((row.scope, row.period) for row in rows))


def usage_release(*, installation, counted: list, amount: Decimal) -> None:
    """Give back what a reward counted (it was voided before paying out): caps count payouts."""
    for scope, period in counted:
        UsageCounter.objects.filter(installation=installation, scope=scope, period=period).update(
            count=F("count") - 1, amount=F("amount") - amount
        )


def _get(item: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value is not None:
            return value
    return default


def _amount(value: Any) -> Decimal | None:
    if value is None:
        return None
    if hasattr(value, "amount"):
        return Decimal(value.amount)
    return Decimal(str(value))


def program_limits(*, program: Any, recipient_role: str, recipient_email: str) -> list[Limit]:
    """The per-person caps and budgets of a program that apply to one reward's recipient.

    Reads `program.limits` (who, count, per) and `program.budgets` (amount, per); per-order caps
    (`limit reward <= 10% of order_total`) are applied by evaluation, not here.
    """
    found: list[Limit] = []
    for limit in getattr(program, "limits", None) or ():
        count = _get(limit, "count")
        who = _get(limit, "recipient", "who", default="")
        if count is None or (who and who != recipient_role):
            continue  # a per-order cap, or a cap on someone else
        period = _get(limit, "period", "per")
        found.append(
            Limit(
                scope=f"{who or recipient_role}:{recipient_email}",
                period=str(period) if period else None,
                count=int(count),
                label=f"limit {who or recipient_role} {count} rewards per {period or 'ever'}",
            )
        )
    for budget in getattr(program, "budgets", None) or ():
        amount = _amount(_get(budget, "amount", "amount_value"))
        if amount is None:
            continue
        period = _get(budget, "period", "per")
        found.append(
            Limit(
                scope="budget",
                period=str(period) if period else None,
                amount=amount,
                label=f"budget {amount} per {period or 'ever'} reached",
            )
        )
    return found
