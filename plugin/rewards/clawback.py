"""Taking back part or all of an issued reward: points at once, gift cards via the outbox.

What cannot be recovered (a spent gift card, spent points, a voucher already handed out) is
recorded as debt, settled from the recipient's next rewards.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from plugin.rewards.models import (
    DebtEntry,
    EntryAction,
    OrderTrack,
    OutboxItem,
    OutboxStatus,
    Reward,
    RewardState,
)
from plugin.rewards.selectors import points_balance, reward_recipient_key
from plugin.rewards.services import points_debit, reward_transition
from plugin.rewards.signals import outbox_work_announce


def debt_record(
    *,
    reward: Reward,
    key: str,
    amount: Decimal = Decimal(0),
    points: int = 0,
    reason: str,
    now: datetime,
) -> None:
    """Owed value, once per key."""
    if amount <= 0 and points <= 0:
        return
    if DebtEntry.objects.filter(installation=reward.installation, key=key).exists():
        return
    DebtEntry(
        installation=reward.installation,
        key=key,
        email=reward_recipient_key(reward),
        currency=reward.currency if reward.kind != "points" else "",
        amount=amount,
        points=points,
        reward=reward,
        reason=reason,
        created_at=now,
    ).save()


def _final_state(target_amount: Decimal | None, target_points: int | None) -> str:
    left = (target_amount or Decimal(0)) > 0 or (target_points or 0) > 0
    return RewardState.ISSUED if left else RewardState.VOIDED


def reward_clawback(
    *,
    reward: Reward,
    latest,
    target_amount: Decimal | None,
    target_points: int | None,
    track: OrderTrack,
    now: datetime,
    cause_event: str = "",
    cause_id: str = "",
) -> None:
    """Lower an issued reward to its target value, recovering what can be recovered."""
    why = (
        f"order {track.void_reason}"
        if track.voided_at
        else f"order partly refunded ({track.refunded} of {track.total})"
    )
    if reward.kind == "points":
        _points_clawback(
            reward=reward,
            latest=latest,
            target_points=target_points or 0,
            why=why,
            now=now,
            cause_event=cause_event,
            cause_id=cause_id,
        )
    elif reward.recipient_role == "affiliate":
        _commission_clawback(reward=reward, latest=latest, target_amount=target_amount,
                             why=why, now=now, cause_event=cause_event, cause_id=cause_id)
    elif reward.kind == "money" and latest.details.get("gift_card_id"):
        _gift_card_clawback_enqueue(
            reward=reward,
            latest=latest,
            target_amount=target_amount or Decimal(0),
            why=why,
            now=now,
        )
    else:
        owed = (latest.amount or Decimal(0)) - (target_amount or Decimal(0))
        with transaction.atomic():
            entry = reward_transition(
                reward=reward,
                from_states=[RewardState.ISSUED],
                action=EntryAction.CLAWED_BACK,
                state=_final_state(target_amount, None),
                amount=target_amount,
                now=now,
                cause_event=cause_event,
                cause_id=cause_id,
                reason=f"{why}; issued {reward.kind} cannot be taken back: {owed} recorded as debt",
                details={**latest.details, "recovered": "0", "debt": str(owed)},
            )
            if entry is not None:
                debt_record(
                    reward=reward,
                    key=f"clawback:{reward.pk}:{entry.seq}",
                    amount=owed,
                    reason=why,
                    now=now,
                )


def _commission_clawback(
    *, reward: Reward, latest, target_amount: Decimal | None, why: str, now: datetime,
    cause_event: str, cause_id: str,
) -> None:
    """A partner's payable commission is lowered; the partner's next payout deducts what was
    taken back (`clawed_back`), so no debt is recorded beside it."""
    clawed = (latest.amount or Decimal(0)) - (target_amount or Decimal(0))
    reward_transition(
        reward=reward,
        from_states=[RewardState.ISSUED],
        action=EntryAction.CLAWED_BACK,
        state=_final_state(target_amount, None),
        amount=target_amount,
        now=now,
        cause_event=cause_event,
        cause_id=cause_id,
        reason=f"{why}; {clawed} deducted from the partner's payout",
        details={"clawed_back": str(clawed)},
    )


def _points_clawback(
    *,
    reward: Reward,
    latest,
    target_points: int,
    why: str,
    now: datetime,
    cause_event: str,
    cause_id: str,
) -> None:
    owed = (latest.points or 0) - target_points
    with transaction.atomic():
        balance = points_balance(
            installation=reward.installation,
            customer_id=reward.recipient_customer_id,
            email=reward_recipient_key(reward),
            now=now,
        )
        recovered = min(balance, owed)
        entry = reward_transition(
            reward=reward,
            from_states=[RewardState.ISSUED],
            action=EntryAction.CLAWED_BACK,
            state=_final_state(None, target_points),
            points=target_points,
            now=now,
            cause_event=cause_event,
            cause_id=cause_id,
            reason=f"{why}; {recovered} points taken back"
            + (f", {owed - recovered} owed" if owed > recovered else ""),
            details={"recovered": recovered, "debt": owed - recovered},
        )
        if entry is None:
            return
        if recovered:
            points_debit(
                installation=reward.installation,
                key=f"clawback:{reward.pk}:{entry.seq}",
                customer_id=reward.recipient_customer_id,
                email=reward_recipient_key(reward),
                points=recovered,
                reason=why,
                now=now,
                reward=reward,
            )
        debt_record(
            reward=reward,
            key=f"clawback:{reward.pk}:{entry.seq}",
            points=owed - recovered,
            reason=why,
            now=now,
        )


def _gift_card_clawback_enqueue(
    *, reward: Reward, latest, target_amount: Decimal, why: str, now: datetime
) -> None:
    """One clawback in flight per reward: the next is planned when this one is done."""
    if OutboxItem.objects.filter(
        reward=reward, action="gift_card_clawback", status=OutboxStatus.PENDING
    ).exists():
        return
    OutboxItem.objects.get_or_create(
        installation=reward.installation,
        key=f"clawback:{reward.pk}:{latest.seq}",
        defaults={
            "reward": reward,
            "action": "gift_card_clawback",
            "payload": {
                "gift_card_id": latest.details["gift_card_id"],
                "amount": str(latest.amount - target_amount),
                "target": str(target_amount),
                "from_seq": latest.seq,
                "why": why,
            },
            "created_at": now,
        },
    )
    outbox_work_announce()
