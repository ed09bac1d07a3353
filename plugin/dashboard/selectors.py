"""Reads for the dashboard's referral pages: referrals with their rewards, the ledger with
filters, the review queue, contest standings and the headline figures. Built on the referral,
reward and contest selectors; only lists they do not offer are queried here, read-only."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, Sum

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
from rules.money import Money, is_currency

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


def dashboard_overview(*, installation) -> dict[str, Any]:
    """Referred orders, their average value against the others, and reward cost as a share of
    referred revenue; in the shop's main currency (amounts are never added across currencies)."""
    paid = (CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
            .exclude(status=CustomerOrder.Status.CANCELLED))
    currencies = Counter(dict(paid.values_list("currency").annotate(n=Count("id"))))
    currency = currencies.most_common(1)[0][0] if currencies else ""
    if not is_currency(currency):
        return {"currency": None, "referred_orders": 0, "other_orders": 0,
                "referred_average": None, "other_average": None, "referred_revenue": None,
                "reward_cost": None, "cost_share": None}
    paid = paid.filter(currency=currency)
    referred_q = Q(referral__isnull=False) & ~Q(referral__status=Referral.Status.REFUSED)
    referred = paid.filter(referred_q).aggregate(n=Count("id"), avg=Avg("total"), sum=Sum("total"))
    others = paid.exclude(referred_q).aggregate(n=Count("id"), avg=Avg("total"))
    live_rewards = rewards_in_state(installation=installation, states=COSTING_STATES)
    cost = live_rewards.filter(currency=currency, amount__isnull=False).aggregate(
        total=Sum("amount"))["total"] or Decimal(0)
    revenue = referred["sum"] or Decimal(0)

    def money(value):
        return to_jsonable(Money(value, currency)) if value is not None else None

    return {
        "currency": currency,
        "referred_orders": referred["n"], "other_orders": others["n"],
        "referred_average": money(referred["avg"]), "other_average": money(others["avg"]),
        "referred_revenue": money(revenue), "reward_cost": money(cost),
        "cost_share": _percent(cost, revenue),
    }
