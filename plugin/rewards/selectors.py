"""Reads of the ledger: current state of rewards, due rewards, points balance, debt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from plugin.referrals.identity import email_normalise
from plugin.rewards.models import DebtEntry, PointsEntry, Reward, RewardEntry, RewardState
from rules.facts.money import Money


def reward_recipient_key(reward: Reward) -> str:
    return reward.recipient_key or email_normalise(reward.recipient_email)


@dataclass(frozen=True)
class RewardView:
    """A reward with its current state: what the storefront and dashboard show."""

    id: int
    kind: str
    state: str
    recipient_role: str
    recipient_email: str
    amount: Money | None  # current value (after partial refunds); None for points
    points: int | None
    order_number: str
    rule_label: str
    reason: str
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    details: dict
    voucher_type: str = ""  # percent | fixed | free_shipping | free_product (kind voucher)
    percent: Decimal | None = None
    product: str = ""  # a free product's slug


def reward_latest_entry(*, reward: Reward) -> RewardEntry | None:
    return reward.entries.order_by("-seq").first()


def reward_latest_entries(*, rewards: list[Reward]) -> dict[int, RewardEntry]:
    """`reward_latest_entry` of each reward (by id), in one query; an order has few."""
    latest: dict[int, RewardEntry] = {}
    for entry in RewardEntry.objects.filter(reward__in=rewards).order_by("reward_id", "-seq"):
        latest.setdefault(entry.reward_id, entry)
    return latest


def reward_view(*, reward: Reward, latest: RewardEntry | None = None) -> RewardView:
    latest = latest or reward_latest_entry(reward=reward)
    amount = latest.amount if latest is not None else reward.amount
    return RewardView(
        id=reward.pk,
        kind=reward.kind,
        state=latest.state if latest else RewardState.PENDING,
        recipient_role=reward.recipient_role,
        recipient_email=reward.recipient_email,
        amount=Money(amount, reward.currency) if amount is not None and reward.currency else None,
        points=latest.points if latest is not None else reward.points,
        order_number=reward.order_number,
        rule_label=reward.rule_label,
        reason=latest.reason if latest and latest.reason else reward.reason,
        due_at=latest.due_at if latest else None,
        created_at=reward.created_at,
        updated_at=latest.created_at if latest else reward.created_at,
        details=dict(latest.details) if latest else {},
        voucher_type=reward.voucher_type,
        percent=reward.percent,
        product=reward.product,
    )


def reward_views(*, rewards: Iterable[Reward]) -> list[RewardView]:
    """Views of many rewards with one query for their latest entries."""
    rewards = list(rewards)
    latest: dict[int, RewardEntry] = {}
    for entry in RewardEntry.objects.filter(reward__in=rewards).order_by("reward_id", "seq"):
        latest[entry.reward_id] = entry  # ordered by seq: the last one wins
    return [reward_view(reward=r, latest=latest.get(r.pk)) for r in rewards]


def rewards_for_customer(
    *, installation, customer_id: str | None, email: str | None
) -> list[RewardView]:
    """Every reward a customer earned (by Saleor user id or e-mail), newest first."""
    match = Q(pk__in=[])
    if customer_id:
        match |= Q(recipient_customer_id=customer_id)
    if email_normalise(email):
        match |= Q(recipient_key=email_normalise(email))
        match |= Q(recipient_key="", recipient_email=(email or "").strip().lower())
    rewards = Reward.objects.filter(match, installation=installation).order_by("-created_at", "-id")
    return reward_views(rewards=rewards)


def rewards_for_order(*, installation, order_id: str) -> list[Reward]:
    return list(Reward.objects.filter(installation=installation, order_id=order_id).order_by("id"))


def rewards_in_state(*, installation=None, states: Iterable[str]) -> QuerySet[Reward]:
    """Rewards whose latest entry is in one of `states`."""
    from django.db.models import OuterRef, Subquery

    latest_state = (
        RewardEntry.objects.filter(reward=OuterRef("pk")).order_by("-seq").values("state")[:1]
    )
    rewards = Reward.objects.annotate(current_state=Subquery(latest_state)).filter(
        current_state__in=list(states)
    )
    if installation is not None:
        rewards = rewards.filter(installation=installation)
    return rewards.order_by("id")


def rewards_due(*, installation=None, now: datetime, order_id: str | None = None) -> list[Reward]:
    """Held rewards whose hold is over (of one order when `order_id` is given)."""
    from django.db.models import OuterRef, Subquery

    latest = RewardEntry.objects.filter(reward=OuterRef("pk")).order_by("-seq")
    rewards = Reward.objects.annotate(
        current_state=Subquery(latest.values("state")[:1]),
        current_due=Subquery(latest.values("due_at")[:1]),
    ).filter(current_state=RewardState.HELD, current_due__lte=now)
    if installation is not None:
        rewards = rewards.filter(installation=installation)
    if order_id is not None:
        rewards = rewards.filter(order_id=order_id)
    due = list(rewards.order_by("current_due", "id"))
    if installation is not None:
        for reward in due:  # releasing reads it: spare a query per reward
            reward.installation = installation
    return due


def rewards_for_review(*, installation) -> list[RewardView]:
    """The review queue: rewards waiting for a merchant's decision."""
    return reward_views(
        rewards=rewards_in_state(installation=installation, states=[RewardState.REVIEW])
    )


def ledger_rows(*, installation) -> list[dict]:
    """The whole ledger as plain rows (reward, then its entries): what the demo prints."""
    rows = []
    for reward in Reward.objects.filter(installation=installation).order_by("id"):
        for entry in reward.entries.order_by("seq"):
            rows.append(
                {
                    "reward": reward.pk,
                    "order": reward.order_number,
                    "to": f"{reward.recipient_role} {reward.recipient_email}",
                    "kind": reward.kind,
                    "seq": entry.seq,
                    "action": entry.action,
                    "state": entry.state,
                    "amount": entry.amount,
                    "currency": reward.currency,
                    "points": entry.points,
                    "cause": entry.cause_event,
                    "reason": entry.reason,
                }
            )
    return rows


def _customer_points(*, installation, customer_id: str | None, email: str | None) -> QuerySet:
    match = Q(pk__in=[])
    if customer_id:
        match |= Q(customer_id=customer_id)
    if email_normalise(email):
        match |= Q(email=email_normalise(email))
    return PointsEntry.objects.filter(match, installation=installation)


def points_balance(
    *, installation, customer_id: str | None, email: str | None, now: datetime | None = None
) -> int:
    """Spendable points: unexpired credits at `now`; spends used the soonest-expiring first."""
    now = now or timezone.now()
    credits: list[list] = []  # [expires_at, remaining]
    for entry in _customer_points(installation=installation, customer_id=customer_id, email=email):
        if entry.points > 0:
            credits.append([entry.expires_at, entry.points])
            continue
        spend = -entry.points
        # A spend can only use credits that were alive when it happened, soonest expiry first.
        alive = [c for c in credits if c[1] > 0 and (c[0] is None or c[0] > entry.created_at)]
        alive.sort(key=lambda c: (c[0] is None, c[0] or now))
        for credit in alive:
            used = min(credit[1], spend)
            credit[1] -= used
            spend -= used
            if not spend:
                break
    return sum(rest for expires, rest in credits if rest > 0 and (expires is None or expires > now))


def debt_outstanding(*, installation, email: str, currency: str) -> Money | int:
    """Unrecovered clawback still owed by a recipient: Money for a currency, points for ""."""
    entries = DebtEntry.objects.filter(
        installation=installation, email=email_normalise(email), currency=currency
    )
    if not currency:
        return int(entries.aggregate(total=Sum("points"))["total"] or 0)
    return Money(entries.aggregate(total=Sum("amount"))["total"] or Decimal(0), currency)
