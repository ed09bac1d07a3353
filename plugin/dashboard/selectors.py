"""Reads for the dashboard's referral pages: referrals with their rewards, the ledger with
filters, the review queue, contest standings and the headline figures. Built on the referral,
reward and contest selectors; only lists they do not offer are queried here, read-only."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from plugin.contests.selectors import (
    MONEY_SCORES,
    contest_standings,
    contest_winners,
    contests_list,
)
from plugin.programs.reports import to_jsonable
from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.selectors import referrals_in_review
from plugin.rewards.models import Reward, RewardState
from plugin.rewards.selectors import RewardView, reward_views, rewards_for_review, rewards_in_state
from plugin.rewards.skips import skipped_orders_by_reason
from rules.facts.money import Money, is_currency

LIST_LIMIT = 200
COSTING_STATES = (RewardState.PENDING, RewardState.REVIEW, RewardState.HELD,
                  RewardState.ISSUING, RewardState.ISSUED)


def reward_text(view: RewardView) -> str:
    """What the reward is, as the merchant would say it."""
    if view.kind == "voucher":
        return _voucher_text(view)
    if view.points is not None and view.amount is None:
        return f"{view.points} points"
    return f"{view.amount.amount} {view.amount.currency}" if view.amount else view.kind


def _voucher_text(view: RewardView) -> str:
    if view.voucher_type == "free_product":
        return f'free product "{view.product}"'
    if view.voucher_type == "free_shipping":
        return "free shipping voucher"
    if view.voucher_type == "percent" and view.percent is not None:
        return f"{view.percent.normalize():f}% off voucher"
    if view.amount is not None:
        return f"{view.amount.amount} {view.amount.currency} off voucher"
    return "voucher"


def reward_json(view: RewardView) -> dict[str, Any]:
    return {
        "id": view.id, "recipient": f"{view.recipient_role} {view.recipient_email}",
        "reward": reward_text(view), "state": view.state, "order": view.order_number,
        "hold_until": view.due_at.isoformat() if view.due_at else None,
        "cause": view.rule_label or view.reason, "reason": view.reason,
    }


def dashboard_referrals(*, installation, status: str = "") -> list[dict[str, Any]]:
    """The newest referrals (referrer, friend, status, order, reward), at most 200."""
    referrals = Referral.objects.filter(installation=installation).order_by("-created", "-id")
    if status:
        referrals = referrals.filter(status=status)
    referrals = list(referrals[:LIST_LIMIT])
    rewards: dict[int, list[str]] = {}
    given = list(Reward.objects.filter(installation=installation,
                                       referral_id__in=[r.pk for r in referrals]).order_by("id"))
    for reward, view in zip(given, reward_views(rewards=given), strict=True):
        rewards.setdefault(reward.referral_id, []).append(f"{reward_text(view)} ({view.state})")
    return [{
        "id": r.pk, "referrer": r.referrer_email, "referee": r.referee_email, "status": r.status,
        "order": r.order_id or r.checkout_id or "—", "source": r.source,
        "reward": "; ".join(rewards.get(r.pk, [])) or "—", "created": r.created.isoformat(),
        "reason": r.refusal_reason or r.review_reason,
    } for r in referrals]


def dashboard_rewards(*, installation, state: str = "", email: str = "") -> list[dict[str, Any]]:
    """The ledger's rewards, newest first, by current state and recipient e-mail."""
    rewards = (rewards_in_state(installation=installation, states=[state]) if state
               else Reward.objects.filter(installation=installation))
    if email:
        rewards = rewards.filter(recipient_email__icontains=email.strip().lower())
    rewards = rewards.order_by("-created_at", "-id")[:LIST_LIMIT]
    return [reward_json(view) for view in reward_views(rewards=rewards)]


def dashboard_review_queue(*, installation) -> list[dict[str, Any]]:
    """Rewards and referrals waiting for a person, oldest first."""
    items = [{**reward_json(view), "kind": "reward", "key": f"reward-{view.id}"}
             for view in rewards_for_review(installation=installation)]
    items += [{
        "id": r.pk, "kind": "referral", "key": f"referral-{r.pk}",
        "recipient": f"referrer {r.referrer_email}", "reward": f"referral of {r.referee_email}",
        "reason": r.review_reason, "order": r.order_id or r.checkout_id or "—",
    } for r in referrals_in_review(installation=installation)]
    return items


def masked_email(email: str) -> str:
    """`a***@x.com`: enough for the merchant to tell entrants apart on a shared screen."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else f"{email[:1]}***"


def score_text(contest, score: Decimal | None) -> str | None:
    """Counts without the stored decimals ("6", not "6.0000"); money scores in cents."""
    if score is None:
        return None
    if contest.score in MONEY_SCORES:
        return str(score.quantize(Decimal("0.01"), ROUND_HALF_UP))
    return format(score.normalize(), "f")


def _standing_json(contest, standing) -> dict[str, Any]:
    return {"rank": standing.rank, "referrer": standing.public_name or standing.referrer_email,
            "name": standing.public_name or masked_email(standing.referrer_email),
            "public": bool(standing.public_name), "score": score_text(contest, standing.score),
            "qualifies": standing.qualifies, "prize": standing.prize or "—"}


def dashboard_contests(*, installation, limit: int = 50) -> list[dict[str, Any]]:
    """Running and finished contests, newest first: the top of the table and, once
    finalised, the winners with what happened to their prize."""
    shown = []
    for contest in contests_list(installation=installation):
        winners = contest_winners(installation=installation, contest=contest)
        prizes = [w.reward for w in winners if w.reward_id]
        reward_state = {view.id: view.state for view in reward_views(rewards=prizes)}
        standings = contest_standings(installation=installation, contest=contest, limit=limit)
        names = {s.referrer_email: s.public_name for s in standings if s.public_name}
        shown.append({
            "id": contest.pk, "name": contest.name, "starts": contest.starts.isoformat(),
            "ends": contest.ends.isoformat(), "status": contest.status,
            "score": contest.score_text or contest.score,
            "minimum": score_text(contest, contest.minimum),
            "entrants": contest.entrant_count,
            "finalised_at": contest.finalised_at.isoformat() if contest.finalised_at else None,
            "standings": [_standing_json(contest, s) for s in standings],
            "winners": [{
                "rank": w.rank, "score": score_text(contest, w.score), "prize": w.prize,
                "name": names.get(w.referrer_email) or masked_email(w.referrer_email),
                "reward": reward_state.get(w.reward_id),
                "note": w.note,
            } for w in winners],
        })
    return shown


def _percent(part: Decimal, whole: Decimal) -> str | None:
    if not whole:
        return None
    return str((part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


MONTHS_SHOWN = 6


def _month_starts(now: datetime, count: int) -> list[datetime]:
    """The first instants of the last `count` calendar months (this one last), then the next."""
    local = timezone.localtime(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = []
    for back in range(count - 1, -2, -1):
        month_index = first.year * 12 + first.month - 1 - back
        starts.append(first.replace(year=month_index // 12, month=month_index % 12 + 1))
    return starts


def _customer_figures(paid: QuerySet, *, referred_q: Q, months: list[datetime]) -> dict[str, Any]:
    """One aggregate over one row per customer (the stored, already normalised e-mail): how many
    customers, repeaters and how much revenue in each group, and new referred ones per month.

    A customer is referred when their first paid order was: the earliest referred order is the
    earliest order (on a tie in time the referral wins)."""
    per_customer = (
        paid.exclude(email="").values("email")
        .annotate(orders=Count("id"), revenue=Sum("total"), first_paid=Min("paid_at"),
                  first_referred_paid=Min("paid_at", filter=referred_q))
        .annotate(referred=Case(When(first_referred_paid=F("first_paid"), then=Value(1)),
                                default=Value(0), output_field=IntegerField()))
    )
    referred, other = Q(referred=1), Q(referred=0)
    repeat = Q(orders__gte=2)
    sums = {
        "referred_customers": Count("email", filter=referred),
        "other_customers": Count("email", filter=other),
        "referred_repeaters": Count("email", filter=referred & repeat),
        "other_repeaters": Count("email", filter=other & repeat),
        "referred_customer_revenue": Sum("revenue", filter=referred),
        "other_customer_revenue": Sum("revenue", filter=other),
    }
    for index, (start, end) in enumerate(itertools.pairwise(months)):
        sums[f"month_{index}"] = Count(
            "email", filter=referred & Q(first_paid__gte=start, first_paid__lt=end))
    return per_customer.aggregate(**sums)


def _per(total: Decimal | None, count: int) -> Decimal | None:
    return (total or Decimal(0)) / count if count else None


def _difference(value: Decimal | None, baseline: Decimal | None) -> str | None:
    """`value` against `baseline` as a signed percent: "+16.0", "-4.2"; None if not comparable."""
    if value is None or not baseline:
        return None
    change = ((value - baseline) * 100 / baseline).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"+{change}" if change > 0 else str(change)


def _empty_overview(*, months: list[datetime]) -> dict[str, Any]:
    return {"currency": None, "referred_orders": 0, "other_orders": 0,
            "referred_average": None, "other_average": None, "referred_revenue": None,
            "reward_cost": None, "cost_share": None, "other_currency_orders": 0,
            "referred_customers": 0, "other_customers": 0,
            "referred_repeat_rate": None, "other_repeat_rate": None,
            "referred_customer_value": None, "other_customer_value": None,
            "customer_value_difference": None, "cost_per_customer": None,
            "new_referred_by_month": [{"month": start.strftime("%Y-%m"), "customers": 0}
                                      for start in months[:-1]]}


def dashboard_overview(*, installation, now: datetime | None = None) -> dict[str, Any]:
    """The figures below, and the orders the program skipped, counted by reason (one query)."""
    return {**_overview_figures(installation=installation, now=now),
            "skipped_orders": skipped_orders_by_reason(installation=installation)}


def _overview_figures(*, installation, now: datetime | None = None) -> dict[str, Any]:
    """Referred orders and customers against the others, in the shop's main currency (amounts
    are never added across currencies): order counts and averages, referred revenue, reward
    cost and its share, customers, repeat rates, value per customer, cost per acquired customer
    and new referred customers in each of the last six calendar months. Five queries."""
    months = _month_starts(now or timezone.now(), MONTHS_SHOWN)
    paid = (CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
            .exclude(status=CustomerOrder.Status.CANCELLED))
    currencies = Counter(dict(paid.values_list("currency").annotate(n=Count("id"))))
    currency = currencies.most_common(1)[0][0] if currencies else ""
    if not is_currency(currency):
        return _empty_overview(months=months)
    paid = paid.filter(currency=currency)
    referred_q = Q(referral__isnull=False) & ~Q(referral__status=Referral.Status.REFUSED)
    referred = paid.filter(referred_q).aggregate(n=Count("id"), avg=Avg("total"), sum=Sum("total"))
    others = paid.exclude(referred_q).aggregate(n=Count("id"), avg=Avg("total"))
    live_rewards = rewards_in_state(installation=installation, states=COSTING_STATES)
    cost = live_rewards.filter(currency=currency, amount__isnull=False).aggregate(
        total=Sum("amount"))["total"] or Decimal(0)
    revenue = referred["sum"] or Decimal(0)
    customers = _customer_figures(paid, referred_q=referred_q, months=months)
    referred_count, other_count = customers["referred_customers"], customers["other_customers"]
    referred_value = _per(customers["referred_customer_revenue"], referred_count)
    other_value = _per(customers["other_customer_revenue"], other_count)

    def money(value):
        return to_jsonable(Money(value, currency)) if value is not None else None

    return {
        "currency": currency,
        "referred_orders": referred["n"], "other_orders": others["n"],
        "referred_average": money(referred["avg"]), "other_average": money(others["avg"]),
        "referred_revenue": money(revenue), "reward_cost": money(cost),
        "cost_share": _percent(cost, revenue),
        "other_currency_orders": sum(currencies.values()) - currencies[currency],
        "referred_customers": referred_count, "other_customers": other_count,
        "referred_repeat_rate": _percent(Decimal(customers["referred_repeaters"]),
                                         Decimal(referred_count)),
        "other_repeat_rate": _percent(Decimal(customers["other_repeaters"]), Decimal(other_count)),
        "referred_customer_value": money(referred_value),
        "other_customer_value": money(other_value),
        "customer_value_difference": _difference(referred_value, other_value),
        "cost_per_customer": money(_per(cost, referred_count)),
        "new_referred_by_month": [
            {"month": start.strftime("%Y-%m"), "customers": customers[f"month_{index}"]}
            for index, start in enumerate(months[:-1])],
    }
