"""Moves rewards along: order facts → hold, reduce, void, claw back; due holds → release.

What the app knows about an order only grows (`OrderTrack`): paid, fulfilled, the highest
refund, cancelled. Each reward is reconciled to what that knowledge asks for, so the same
deliveries in any order, any number of times, end in the same ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from plugin.rewards.clawback import reward_clawback
from plugin.rewards.codes import reward_code_get
from plugin.rewards.models import (
    DebtEntry,
    EntryAction,
    OrderTrack,
    OutboxItem,
    Reward,
    RewardEntry,
    RewardState,
)
from plugin.rewards.notices import reward_message_send
from plugin.rewards.selectors import (
    debt_outstanding,
    reward_latest_entries,
    reward_latest_entry,
    reward_recipient_key,
    rewards_due,
)
from plugin.rewards.services import (
    RewardError,
    points_credit,
    reward_resolve,
    reward_transition,
    reward_usage_release,
)
from plugin.rewards.signals import outbox_work_announce
from rules.facts.money import Money

NOT_YET_ISSUED = (RewardState.PENDING, RewardState.REVIEW, RewardState.HELD)


def order_track_update(
    *,
    installation,
    order_id: str,
    number: str = "",
    currency: str = "",
    total: Decimal | None = None,
    paid_at: datetime | None = None,
    fulfilled_at: datetime | None = None,
    refunded: Decimal | None = None,
    voided_at: datetime | None = None,
    void_reason: str = "",
) -> OrderTrack:
    """Add what one event says about an order; nothing learnt earlier is ever unlearnt."""
    with transaction.atomic():
        OrderTrack.objects.bulk_create(
            [OrderTrack(installation=installation, order_id=order_id)], ignore_conflicts=True
        )
        track = OrderTrack.objects.select_for_update().get(
            installation=installation, order_id=order_id
        )
        track.number = track.number or number
        track.currency = track.currency or currency
        if total is not None and total > track.total:
            track.total = total
        if paid_at and (track.paid_at is None or paid_at < track.paid_at):
            track.paid_at = paid_at
        if fulfilled_at and (track.fulfilled_at is None or fulfilled_at < track.fulfilled_at):
            track.fulfilled_at = fulfilled_at
        if refunded is not None and refunded > track.refunded:
            track.refunded = refunded
        if voided_at and (track.voided_at is None or voided_at < track.voided_at):
            track.voided_at = voided_at
            track.void_reason = void_reason
        track.save()
        return track


def _kept_share(track: OrderTrack) -> Decimal:
    """The part of the order the customer kept: 1 - refunded / total, between 0 and 1."""
    if track.voided_at is not None:
        return Decimal(0)
    if track.total <= 0 or track.refunded <= 0:
        return Decimal(1)
    return max(Decimal(0), 1 - track.refunded / track.total)


def reward_target(*, reward: Reward, track: OrderTrack) -> tuple[Decimal | None, int | None]:
    """What a reward should be worth now: its decided value scaled by the kept share."""
    share = _kept_share(track)
    amount = None
    if reward.amount is not None:
        amount = (
            Money(reward.amount * share, reward.currency).amount
            if reward.currency
            else reward.amount * share
        )
    points = None
    if reward.points is not None:
        points = int((reward.points * share).to_integral_value(ROUND_DOWN))
    return amount, points


def _hold_due(*, reward: Reward, track: OrderTrack) -> datetime | None:
    """When the hold of a reward ends, or None while what it waits for has not happened."""
    if track.paid_at is None:
        return None
    start = track.paid_at if reward.hold_after == "payment" else track.fulfilled_at
    if start is None:
        return None
    return start + timedelta(days=reward.hold_days or 0)


def order_rewards_reconcile(
    *, installation, order_id: str, now: datetime, cause_event: str = "", cause_id: str = ""
) -> None:
    """Bring every reward of an order in line with what is known about the order."""
    track = OrderTrack.objects.filter(installation=installation, order_id=order_id).first()
    if track is None:
        return
    rewards = list(Reward.objects.filter(installation=installation, order_id=order_id
                                         ).order_by("id"))
    latest = reward_latest_entries(rewards=rewards)  # each reconcile touches its own reward only
    for reward in rewards:
        reward.installation = installation  # known: no query to read it again
        reward_reconcile(
            reward=reward, track=track, now=now, cause_event=cause_event, cause_id=cause_id,
            latest=latest.get(reward.pk),
        )


def reward_reconcile(
    *, reward: Reward, track: OrderTrack, now: datetime, cause_event: str = "", cause_id: str = "",
    latest: RewardEntry | None = None,
) -> None:
    """`latest`: the reward's latest entry when the caller has read it already."""
    latest = latest or reward_latest_entry(reward=reward)
    if latest is None or latest.state in (
        RewardState.VOIDED,
        RewardState.REFUSED,
        RewardState.ISSUING,
    ):
        return  # final, or in the outbox's hands (it reconciles again when it is done)
    target_amount, target_points = reward_target(reward=reward, track=track)
    common = {"now": now, "cause_event": cause_event, "cause_id": cause_id}
    if latest.state in NOT_YET_ISSUED:
        if track.voided_at is not None:
            with transaction.atomic():
                voided = reward_transition(
                    reward=reward,
                    from_states=NOT_YET_ISSUED,
                    action=EntryAction.VOIDED,
                    state=RewardState.VOIDED,
                    amount=target_amount,
                    points=target_points,
                    reason=f"order {track.void_reason or 'voided'}",
                    **common,
                )
                if voided is not None:
                    reward_usage_release(reward=reward)
            if voided is not None and latest.state == RewardState.HELD:
                # Only someone told "on its way" hears that it is not coming.

                reward_message_send(
                    reward=reward, template="reward_voided", reason=f"order {track.void_reason}"
                )
            return
        if _lowered(latest, target_amount, target_points):
            reward_transition(
                reward=reward,
                from_states=[latest.state],
                action=EntryAction.REDUCED,
                state=latest.state,
                amount=target_amount,
                points=target_points,
                due_at=latest.due_at,
                reason=f"order partly refunded ({track.refunded} of {track.total})",
                **common,
            )
        due = _hold_due(reward=reward, track=track)
        if (
            due is not None
            and reward_transition(
                reward=reward,
                from_states=[RewardState.PENDING],
                action=EntryAction.HELD,
                state=RewardState.HELD,
                due_at=due,
                reason=f"held until {due:%Y-%m-%d} ({reward.hold_days} days after "
                f"{reward.hold_after or 'fulfillment'})",
                **common,
            )
            and due > now
        ):  # a hold already over needs no "on its way" mail

            reward_message_send(reward=reward, template="reward_held", due_at=due)
        return
    if latest.state == RewardState.ISSUED and _lowered(latest, target_amount, target_points):
        reward_clawback(
            reward=reward,
            latest=latest,
            target_amount=target_amount,
            target_points=target_points,
            track=track,
            **common,
        )


def _lowered(latest, target_amount: Decimal | None, target_points: int | None) -> bool:
    if target_amount is not None and latest.amount is not None and target_amount < latest.amount:
        return True
    return target_points is not None and latest.points is not None and target_points < latest.points


def rewards_release(*, installation=None, now: datetime) -> list[Reward]:
    """Hand every reward whose hold is over to the outbox (points are credited at once)."""
    released = []
    for reward in rewards_due(installation=installation, now=now):
        if reward_release(reward=reward, now=now):
            released.append(reward)
    return released


def reward_release(*, reward: Reward, now: datetime) -> bool:
    """One held reward: settle debt, then credit points now or hand money/vouchers to the outbox."""

    with transaction.atomic():
        latest = reward_latest_entry(reward=reward)
        if latest is None or latest.state != RewardState.HELD:
            return False
        if reward.recipient_role == "affiliate":
            # A partner's commission is paid with their period's payout, never issued in Saleor.
            return reward_transition(
                reward=reward, from_states=[RewardState.HELD], action=EntryAction.RELEASED,
                state=RewardState.ISSUED, now=now, cause_event="RELEASE",
                reason="hold over; payable in the partner's payout",
            ) is not None
        amount = latest.amount
        details: dict = {}
        debt_currency = (
            reward.currency if reward.kind == "money" else ("" if reward.kind == "points" else None)
        )
        if debt_currency is not None:
            owed = debt_outstanding(
                installation=reward.installation,
                email=reward_recipient_key(reward),
                currency=debt_currency,
            )
            owed_value = owed.amount if isinstance(owed, Money) else Decimal(owed)
            value = (
                Decimal(latest.points or 0) if reward.kind == "points" else (amount or Decimal(0))
            )
            settle = min(owed_value, value) if owed_value > 0 else Decimal(0)
            if settle > 0:
                DebtEntry(
                    installation=reward.installation,
                    key=f"settle:{reward.pk}",
                    email=reward_recipient_key(reward),
                    currency=debt_currency,
                    amount=-settle if debt_currency else Decimal(0),
                    points=-int(settle) if not debt_currency else 0,
                    reward=reward,
                    reason=f"settled from reward {reward.pk}",
                    created_at=now,
                ).save()
                details["debt_settled"] = str(settle)
                if reward.kind != "points":
                    amount = (amount or Decimal(0)) - settle
        if reward.kind == "points":
            points = (latest.points or 0) - int(Decimal(details.get("debt_settled", "0")))
            if points > 0:
                points_credit(reward=reward, points=points, now=now)
            entry = reward_transition(
                reward=reward,
                from_states=[RewardState.HELD],
                action=EntryAction.ISSUED,
                state=RewardState.ISSUED,
                points=points,
                now=now,
                cause_event="RELEASE",
                reason=f"{points} points credited",
                details=details,
            )
            issued_now = entry is not None
        elif reward.kind == "money" and amount is not None and amount <= 0:
            reward_transition(
                reward=reward,
                from_states=[RewardState.HELD],
                action=EntryAction.ISSUED,
                state=RewardState.ISSUED,
                amount=Decimal(0),
                now=now,
                cause_event="RELEASE",
                reason="fully used to settle earlier debt",
                details=details,
            )
            return True
        else:
            entry = reward_transition(
                reward=reward,
                from_states=[RewardState.HELD],
                action=EntryAction.RELEASED,
                state=RewardState.ISSUING,
                amount=amount,
                now=now,
                cause_event="RELEASE",
                reason="hold over",
                details=details,
            )
            if entry is None:
                return False
            OutboxItem.objects.get_or_create(
                installation=reward.installation,
                key=f"issue:{reward.pk}",
                defaults={
                    "reward": reward,
                    "action": "gift_card_issue" if reward.kind == "money" else "voucher_issue",
                    "payload": _issue_payload(reward=reward, amount=amount, now=now),
                    "created_at": now,
                },
            )
            outbox_work_announce()
            return True
    if issued_now:
        reward_message_send(reward=reward, template="reward_issued")
    return issued_now


def _issue_payload(*, reward: Reward, amount: Decimal | None, now: datetime) -> dict:
    expiry = None
    if reward.expires_days:
        expiry = (now + timedelta(days=reward.expires_days)).date().isoformat()
    if reward.kind == "money":
        return {
            "amount": str(amount),
            "currency": reward.currency,
            "email": reward.recipient_email,
            "channel": reward.channel,
            "expiry_date": expiry,
            "note": f"Referral reward, order {reward.order_number} ({reward.rule_label})".strip(),
        }
    if reward.voucher_type == "free_product":
        value: Decimal | None = Decimal(100)  # one unit of the product, at 100 %
    else:
        value = reward.percent if reward.voucher_type == "percent" else amount
    return {
        "code": reward_code_get(reward=reward, now=now).code,
        "name": f"Referral reward for order {reward.order_number}".strip(),
        "value_type": "PERCENTAGE"
        if reward.voucher_type in ("percent", "free_product")
        else "FIXED",
        "voucher_type": reward.voucher_type or "fixed",
        "value": str(value) if value is not None else "0",
        "currency": reward.currency,
        "channel": reward.channel,
        "end_date": expiry,
        "email": reward.recipient_email,
        "product": reward.product,
    }


def reward_review_approve(
    *, entry: RewardEntry | Reward | int, actor: str, reason: str = ""
) -> RewardEntry:
    """A merchant lets a reward under review go ahead; its hold then runs as usual."""
    reward = reward_resolve(entry)
    appended = reward_transition(
        reward=reward,
        from_states=[RewardState.REVIEW],
        action=EntryAction.APPROVED,
        state=RewardState.PENDING,
        now=timezone.now(),
        actor=actor,
        reason=reason or "approved in review",
        cause_event="REVIEW",
    )
    if appended is None:
        raise RewardError(f"reward {reward.pk} is not waiting for review")
    order_rewards_reconcile(
        installation=reward.installation, order_id=reward.order_id, now=timezone.now()
    )
    return appended
