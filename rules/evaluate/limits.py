"""Per-person limits and budgets: which decided rewards they cut, and why. One procedure for
every place a program decides: `referrals eval|explain|test`, the sandbox, backtests and the app.

`limit referrer 5 rewards per month` lets one person get at most 5 rewards in the calendar
month that holds the event; `budget 10000 USD per month` lets the program give at most that
much money in it. What was already counted comes in as `UsageFacts` (the facts file says it;
the app reads its ledger, under lock). Rewards are counted in the order the app records them:
the rewards given, then those sent to review (a reviewer may still approve them, so they hold
their place), each in written order. A reward that would break a limit or a budget is cut
whole and counts for nothing. Checkout discounts are a price, not a payout: never counted,
never cut. Per-order caps (`limit reward at most 10% of order_total`) are applied by
evaluation, before this. Nothing here reads a clock or does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from rules.checker import BudgetInfo, LimitInfo
from rules.evaluate.decision import Decision, Refusal, Reward, TraceStep
from rules.facts import Facts, Money, UsageFacts

EVER = "ever"
_THIS = {"day": "today", "week": "this week", "month": "this month", "quarter": "this quarter",
         "year": "this year", EVER: "so far"}


@dataclass(frozen=True, slots=True)
class LimitOutcome:
    """The rewards still given, those still for review, and those cut (with the reason)."""

    kept: tuple[Reward, ...]
    review: tuple[Refusal, ...]
    cut: tuple[Refusal, ...]
    cut_lines: tuple[int, ...]  # the line of the limit or budget that cut each, as `cut`


def period_of(period: str | None) -> str:
    """A declaration's period as usage is keyed: `month`, …, or `ever` for none."""
    return period or EVER


def period_key(period: str | None, now: datetime) -> str:
    """The calendar bucket `now` falls in: "2026-11" for a month, "2026-W47" for an ISO week,
    "2026-Q4" for a quarter, "all" for a limit without a period."""
    match period_of(period):
        case "day":
            return now.strftime("%Y-%m-%d")
        case "week":
            year, week, _ = now.isocalendar()
            return f"{year}-W{week:02d}"
        case "month":
            return now.strftime("%Y-%m")
        case "quarter":
            return f"{now.year}-Q{(now.month - 1) // 3 + 1}"
        case "year":
            return now.strftime("%Y")
        case _:
            return "all"


def counted_money(reward: Reward) -> Decimal:
    """What a reward takes from a budget: its amount (money, a fixed voucher); points and
    vouchers without an amount take nothing."""
    if reward.kind in ("discount", "points") or reward.amount is None:
        return Decimal(0)
    return reward.amount.amount


def limits_cut(*, limits: Sequence[LimitInfo], budgets: Sequence[BudgetInfo],
               rewards: Sequence[Reward], review: Sequence[Refusal], usage: UsageFacts,
               currency: str) -> LimitOutcome:
    """Which of `rewards` (then `review`) the program's per-person limits and budgets cut,
    given what `usage` already counted; see the module docstring."""
    per_person = [lim for lim in limits if lim.kind == "per_person" and lim.count is not None]
    if not per_person and not budgets:
        return LimitOutcome(tuple(rewards), tuple(review), (), ())
    taken: dict[tuple[str, str], int] = {}
    spent: dict[str, Decimal] = {}
    kept: list[Reward] = []
    still_review: list[Refusal] = []
    cut: list[Refusal] = []
    cut_lines: list[int] = []
    candidates = [(reward, None) for reward in rewards] + [(r.reward, r) for r in review]
    for reward, refusal in candidates:
        broken = None
        if reward.kind != "discount":
            broken = (_over_count(reward, per_person, usage, taken)
                      or _over_budget(reward, budgets, usage, spent, currency))
        if broken is not None:
            line, reason = broken
            cut.append(Refusal(reward, reason))
            cut_lines.append(line)
            continue
        if reward.kind != "discount":
            _count(reward, per_person, budgets, taken, spent)
        if refusal is None:
            kept.append(reward)
        else:
            still_review.append(refusal)
    return LimitOutcome(tuple(kept), tuple(still_review), tuple(cut), tuple(cut_lines))


def decision_limited(decision: Decision, *, limits: Sequence[LimitInfo],
                     budgets: Sequence[BudgetInfo], facts: Facts) -> Decision:
    """`decision` with what the limits and budgets cut moved to `Decision.cut`; a traced
    decision (explain) also gets a `limit` step for each cut."""
    outcome = limits_cut(limits=limits, budgets=budgets, rewards=decision.rewards,
                         review=decision.refused, usage=facts.usage, currency=facts.currency)
    if not outcome.cut:
        return decision
    trace = decision.trace
    if trace:
        trace += tuple(TraceStep(line, 1, "limit", f"{c.reward.describe()}: cut", False, c.reason)
                       for c, line in zip(outcome.cut, outcome.cut_lines, strict=True))
    return Decision(rewards=outcome.kept, trace=trace, hints=decision.hints,
                    program_hash=decision.program_hash, refused=outcome.review,
                    cut=decision.cut + outcome.cut)


def _over_count(reward: Reward, limits: list[LimitInfo], usage: UsageFacts,
                taken: dict[tuple[str, str], int]) -> tuple[int, str] | None:
    for limit in limits:
        if limit.recipient != reward.recipient:
            continue
        period = period_of(limit.period)
        used = usage.rewards_in(reward.recipient, period) + taken.get((reward.recipient, period), 0)
        if used + 1 > (limit.count or 0):
            per = f" per {limit.period}" if limit.period else ""
            return limit.line, (f"limit {limit.recipient} {limit.count} rewards{per} (line "
                                f"{limit.line}): {used} {_THIS[period]}")
    return None


def _over_budget(reward: Reward, budgets: Sequence[BudgetInfo], usage: UsageFacts,
                 spent: dict[str, Decimal], currency: str) -> tuple[int, str] | None:
    amount = counted_money(reward)
    for budget in budgets:
        period = period_of(budget.period)
        used = usage.spent_in(period) + spent.get(period, Decimal(0))
        if used + amount > budget.amount_value:
            per = f" per {budget.period}" if budget.period else ""
            return budget.line, (f"budget {Money.of(budget.amount_value, currency)}{per} (line "
                                 f"{budget.line}): {Money.of(used, currency)} spent "
                                 f"{_THIS[period]}")
    return None


def _count(reward: Reward, limits: list[LimitInfo], budgets: Sequence[BudgetInfo],
           taken: dict[tuple[str, str], int], spent: dict[str, Decimal]) -> None:
    for key in {(reward.recipient, period_of(lim.period)) for lim in limits
                if lim.recipient == reward.recipient}:
        taken[key] = taken.get(key, 0) + 1
    amount = counted_money(reward)
    for period in {period_of(b.period) for b in budgets}:
        spent[period] = spent.get(period, Decimal(0)) + amount


class UsageTally:
    """A running ledger for replays (backtests): what the rewards decided so far counted, by
    person and calendar period, given as the next event's usage, as the app's counters would."""

    def __init__(self, *, limits: Sequence[LimitInfo], budgets: Sequence[BudgetInfo]) -> None:
        self._periods = {(lim.recipient or "", period_of(lim.period)) for lim in limits
                         if lim.kind == "per_person"}
        self._budget_periods = {period_of(b.period) for b in budgets}
        self._counts: dict[tuple[str, str, str], int] = {}
        self._spent: dict[str, Decimal] = {}

    def with_usage(self, facts: Facts) -> Facts:
        """`facts` with what this tally counted for its people in the periods holding `now`."""
        rewards = []
        for role, period in sorted(self._periods):
            person = _person(facts, role)
            if person:
                count = self._counts.get((role, person, period_key(period, facts.now)), 0)
                rewards.append((role, period, count))
        spent = tuple((period, Money.of(self._spent.get(period_key(period, facts.now),
                                                        Decimal(0)), facts.currency))
                      for period in sorted(self._budget_periods))
        return replace(facts, usage=UsageFacts(tuple(rewards), spent))

    def add(self, facts: Facts, decision: Decision) -> None:
        """Count what `decision` gave (and sent to review) for the people of `facts`."""
        given = [*decision.rewards, *(r.reward for r in decision.refused)]
        for reward in given:
            if reward.kind == "discount":
                continue
            person = _person(facts, reward.recipient)
            for role, period in self._periods:
                if role == reward.recipient and person:
                    key = (role, person, period_key(period, facts.now))
                    self._counts[key] = self._counts.get(key, 0) + 1
            for period in self._budget_periods:
                bucket = period_key(period, facts.now)
                self._spent[bucket] = self._spent.get(bucket, Decimal(0)) + counted_money(reward)


def _person(facts: Facts, role: str) -> str:
    """Who a role is in these facts: the referrer, or the event's customer (referee or not)."""
    if role == "referrer":
        referrer = facts.referral.referrer
        return (referrer.email or referrer.id or "") if facts.referral.is_referred else ""
    return facts.customer.email if facts.customer is not None else ""
