"""Writes to the ledger: create a reward once, append state changes, review, points.

Every change is a new `RewardEntry`; a transition names the states it may start from, so a
replayed event or a second worker finds nothing to do instead of doing it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from plugin.referrals.identity import email_normalise
from plugin.rewards.codes import POINTS_PREFIX, redemption_code_new
from plugin.rewards.limits import usage_lock, usage_release
from plugin.rewards.models import (
    EntryAction,
    OutboxItem,
    PointsEntry,
    Reward,
    RewardEntry,
    RewardState,
)
from plugin.rewards.selectors import points_balance, reward_recipient_key
from plugin.rewards.signals import outbox_work_announce


class RewardError(ValueError):
    """A request on the ledger that cannot be done (unknown reward, wrong state, no points)."""


def reward_create(
    *,
    installation,
    key: str,
    fields: dict[str, Any],
    action: str,
    state: str,
    now: datetime,
    reason: str = "",
    cause_event: str = "",
    cause_id: str = "",
    details: dict | None = None,
) -> tuple[Reward, bool]:
    """The reward for `key`, created with its first entry unless it exists (then returned as is)."""
    existing = Reward.objects.filter(installation=installation, key=key).first()
    if existing is not None:
        return existing, False
    fields = {"recipient_key": email_normalise(fields.get("recipient_email")), **fields}
    try:
        with transaction.atomic():
            reward = Reward(
                installation=installation,
                key=key,
                created_at=now,
                cause_event=cause_event,
                cause_id=cause_id,
                **fields,
            )
            reward.save()
            RewardEntry(
                reward=reward,
                seq=1,
                action=action,
                state=state,
                amount=reward.amount,
                points=reward.points,
                cause_event=cause_event,
                cause_id=cause_id,
                reason=reason,
                details=details or {},
                created_at=now,
            ).save()
    except IntegrityError:
        # Another worker decided the same reward a moment ago: theirs stands.
        return Reward.objects.get(installation=installation, key=key), False
    return reward, True


def reward_transition(
    *,
    reward: Reward,
    from_states: Iterable[str],
    action: str,
    state: str,
    now: datetime,
    amount: Decimal | type[...] | None = ...,
    points: int | type[...] | None = ...,
    due_at: datetime | None = None,
    cause_event: str = "",
    cause_id: str = "",
    actor: str = "",
    reason: str = "",
    details: dict | None = None,
) -> RewardEntry | None:
    """Append an entry if the reward's current state is one of `from_states`, else do nothing.

    Runs in a transaction with the reward row locked (PostgreSQL), so two workers cannot both
    move the same reward; the unique (reward, seq) pair is the last guard (SQLite, races).
    """
    with transaction.atomic():
        Reward.objects.select_for_update().filter(pk=reward.pk).first()
        latest = reward.entries.order_by("-seq").first()
        if latest is None or latest.state not in set(from_states):
            return None
        entry = RewardEntry(
            reward=reward,
            seq=latest.seq + 1,
            action=action,
            state=state,
            amount=latest.amount if amount is ... else amount,
            points=latest.points if points is ... else points,
            due_at=due_at,
            cause_event=cause_event,
            cause_id=cause_id,
            actor=actor,
            reason=reason,
            details=details or {},
            created_at=now,
        )
        entry.save()
        return entry


def reward_usage_release(*, reward: Reward) -> None:
    """A reward voided before payout gives back its place under the caps and budgets."""

    first = reward.entries.order_by("seq").first()
    counted = (first.details or {}).get("counted") if first is not None else None
    if counted:
        usage_release(
            installation=reward.installation, counted=counted, amount=reward.amount or Decimal(0)
        )


def reward_resolve(entry: RewardEntry | Reward | int) -> Reward:
    if isinstance(entry, Reward):
        return entry
    if isinstance(entry, RewardEntry):
        return entry.reward
    reward = Reward.objects.filter(pk=entry).first()
    if reward is None:
        raise RewardError(f"no reward {entry}")
    return reward


def reward_review_reject(
    *, entry: RewardEntry | Reward | int, actor: str, reason: str
) -> RewardEntry:
    """A merchant refuses a reward under review: it is voided, with the reason kept."""
    reward = reward_resolve(entry)
    with transaction.atomic():
        appended = reward_transition(
            reward=reward,
            from_states=[RewardState.REVIEW],
            action=EntryAction.REJECTED,
            state=RewardState.VOIDED,
            now=timezone.now(),
            amount=Decimal(0) if reward.amount is not None else None,
            points=0 if reward.points is not None else None,
            actor=actor,
            reason=reason or "rejected in review",
            cause_event="REVIEW",
        )
        if appended is None:
            raise RewardError(f"reward {reward.pk} is not waiting for review")
        reward_usage_release(reward=reward)
    return appended


# --- points -------------------------------------------------------------------------------


def points_credit(*, reward: Reward, points: int, now: datetime) -> PointsEntry:
    """Credit a reward's points once (keyed by the reward), with the reward's expiry."""
    expires_at = now + timedelta(days=reward.expires_days) if reward.expires_days else None
    key = f"reward:{reward.pk}"
    entry = PointsEntry.objects.filter(installation=reward.installation, key=key).first()
    if entry is not None:
        return entry
    entry = PointsEntry(
        installation=reward.installation,
        key=key,
        customer_id=reward.recipient_customer_id,
        email=reward_recipient_key(reward),
        points=points,
        expires_at=expires_at,
        reward=reward,
        reason=f"reward for order {reward.order_number}".strip(),
        created_at=now,
    )
    entry.save()
    return entry


def points_debit(
    *,
    installation,
    key: str,
    customer_id: str,
    email: str,
    points: int,
    reason: str,
    now: datetime,
    reward: Reward | None = None,
) -> PointsEntry:
    """Take points away once per `key` (a redemption or a clawback)."""
    entry = PointsEntry.objects.filter(installation=installation, key=key).first()
    if entry is not None:
        return entry
    entry = PointsEntry(
        installation=installation,
        key=key,
        customer_id=customer_id or "",
        email=email_normalise(email),
        points=-abs(points),
        reward=reward,
        reason=reason,
        created_at=now,
    )
    entry.save()
    return entry


def _point_value() -> tuple[Decimal, str]:
    """What one point is worth when redeemed, and in which currency (settings)."""
    value = Decimal(str(getattr(settings, "REWARDS_POINT_VALUE", "0.01")))
    return value, getattr(settings, "REWARDS_POINTS_CURRENCY", "USD")


def points_redeem(
    *,
    installation,
    customer_id: str | None,
    email: str | None,
    points: int,
    channel: str | None = None,
    now: datetime | None = None,
) -> str:
    """Spend points for a single-use fixed-amount voucher; returns its code.

    The debit, the random code and the outbox item are written in one transaction; the voucher
    is created in Saleor by the outbox right after (and retried by it with the same stored
    code), so the code works once Saleor has it.
    """

    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise RewardError("points to redeem must be a positive whole number")
    now = now or timezone.now()
    email = email_normalise(email)
    if not (customer_id or email):
        raise RewardError("a customer id or e-mail is needed")
    value, currency = _point_value()
    amount = (value * points).quantize(Decimal("0.01"))
    if amount <= 0:
        raise RewardError("that many points are worth nothing yet")
    with transaction.atomic():
        # Serialise one customer's redemptions: balance check and debit must not interleave.

        usage_lock(installation=installation, scope=f"points:{customer_id or email}", period="all")
        balance = points_balance(
            installation=installation, customer_id=customer_id, email=email, now=now
        )
        if points > balance:
            raise RewardError(f"not enough points: {balance} available, {points} asked")
        seq = PointsEntry.objects.filter(installation=installation, points__lt=0).count()
        key = f"redeem:{customer_id or email}:{now.isoformat()}:{seq}"
        points_debit(
            installation=installation,
            key=key,
            customer_id=customer_id or "",
            email=email,
            points=points,
            reason="redeemed for a voucher",
            now=now,
        )
        code = redemption_code_new(
            installation=installation, prefix=POINTS_PREFIX, email=email, now=now
        ).code
        OutboxItem.objects.create(
            installation=installation,
            key=f"voucher:{key}",
            action="voucher_issue",
            payload={
                "code": code,
                "name": f"Points redemption ({points} points)",
                "value_type": "FIXED",
                "value": str(amount),
                "currency": currency,
                "channel": channel
                or getattr(settings, "REWARDS_DEFAULT_CHANNEL", "default-channel"),
            },
            created_at=now,
        )
    outbox_work_announce()
    return code
