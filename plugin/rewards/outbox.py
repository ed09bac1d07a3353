"""The outbox worker: performs each Saleor change exactly once, however often it is interrupted.

Each item is claimed with a lease, then worked in steps. Before creating anything it looks in
Saleor for what an earlier, interrupted attempt may have made (gift cards carry the item's random
tag, vouchers the random code stored on the item), so a retry finds instead of creating again.
`checkpoint(step)` is called between steps: tests raise there to kill the work mid-way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from plugin.periodic import LONGEST_ATTEMPT, background_wait
from plugin.rewards.clawback import debt_record
from plugin.rewards.codes import redemption_code_issued, redemption_code_replace
from plugin.rewards.gift_card_clawback import gift_card_clawback
from plugin.rewards.gift_card_issue import GiftCardUnverified, gift_card_issue
from plugin.rewards.lifecycle import order_rewards_reconcile
from plugin.rewards.models import EntryAction, OutboxItem, OutboxStatus, RewardState
from plugin.rewards.notices import reward_message_send
from plugin.rewards.services import reward_transition
from plugin.rewards.voucher_issue import VoucherCodeTaken, voucher_issue
from plugin.rewards.voucher_products import RewardUndeliverable, outbox_give_up

log = logging.getLogger("plugin.rewards.outbox")

LEASE = timedelta(minutes=5)
_CODE_DRAWS = 3  # a voucher code Saleor already has elsewhere is replaced at most this often


def _no_checkpoint(step: str) -> None:
    return None


@dataclass
class OutboxRun:
    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def outbox_claim(*, item: OutboxItem, now: datetime) -> bool:
    """Take the item for LEASE unless another worker holds it (one UPDATE decides)."""
    claimed = OutboxItem.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        pk=item.pk,
        status=OutboxStatus.PENDING,
    ).update(lease_until=now + background_wait(LEASE, floor=LONGEST_ATTEMPT),
             attempts=item.attempts + 1)
    return claimed == 1


def outbox_process(
    *,
    client_for: Callable[[Any], Any],
    now: datetime | None = None,
    installation=None,
    limit: int = 100,
    checkpoint: Callable[[str], None] = _no_checkpoint,
) -> OutboxRun:
    """Work the pending items that are due. `client_for(installation)` gives a SaleorClient."""
    now = now or timezone.now()
    run = OutboxRun()
    items = OutboxItem.objects.filter(status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if installation is not None:
        items = items.filter(installation=installation)
    for item in list(items.select_related("installation", "reward").order_by("id")[:limit]):
        if not outbox_claim(item=item, now=now):
            continue
        item.refresh_from_db()
        try:
            result = _perform(
                item=item, client=client_for(item.installation), checkpoint=checkpoint, now=now
            )
            checkpoint("before_done")
            _complete(item=item, result=result, now=now)
            run.done.append(item.pk)
        except RewardUndeliverable as exc:  # final: retrying cannot help, the reward is voided
            outbox_give_up(item=item, reason=str(exc), now=now)
            run.failed.append(item.pk)
        except GiftCardUnverified as exc:  # a person decides; the reward stays being issued
            _stopped(item=item, reason=str(exc))
            run.failed.append(item.pk)
        except Exception as exc:  # retried later; a dying worker (BaseException) keeps the lease
            _failed(item=item, error=exc, now=now)
            run.failed.append(item.pk)
    return run


def outbox_requeue_dead(*, installation=None, item_ids: list[int] | None = None) -> int:
    """Items that ran out of attempts get a fresh start (after Saleor is fixed, say)."""
    items = OutboxItem.objects.filter(status=OutboxStatus.DEAD)
    if installation is not None:
        items = items.filter(installation=installation)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    return items.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None,
                        lease_until=None)


def _failed(*, item: OutboxItem, error: Exception, now: datetime) -> None:
    max_attempts = int(getattr(settings, "REWARDS_OUTBOX_MAX_ATTEMPTS", 8))
    dead = item.attempts >= max_attempts
    OutboxItem.objects.filter(pk=item.pk).update(
        lease_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=now + background_wait(timedelta(seconds=30 * 2 ** min(item.attempts, 10))),
        status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
    )
    log.warning("outbox item %s (%s) failed: %s", item.pk, item.key, error)


def _stopped(*, item: OutboxItem, reason: str) -> None:
    """Retrying cannot make this safe: the item waits, visibly, for a person."""
    OutboxItem.objects.filter(pk=item.pk).update(
        lease_until=None, last_error=reason[:2000], status=OutboxStatus.DEAD
    )
    log.error("outbox item %s (%s) stopped: %s", item.pk, item.key, reason)


def _perform(
    *, item: OutboxItem, client, checkpoint: Callable[[str], None], now: datetime
) -> dict:
    if item.action == "gift_card_issue":
        return gift_card_issue(
            client=client, tag=item.tag, payload=item.payload, checkpoint=checkpoint
        )
    if item.action == "voucher_issue":
        for _ in range(_CODE_DRAWS):
            try:
                return voucher_issue(client=client, payload=item.payload, checkpoint=checkpoint)
            except VoucherCodeTaken as taken:
                # Another app or database holds this code in Saleor: never adopt their voucher.
                log.warning("outbox item %s: %s; drawing a fresh code", item.pk, taken)
                redemption_code_replace(item=item, now=now, note="taken in Saleor by another")
        raise RuntimeError(f"Saleor refused {_CODE_DRAWS} fresh voucher codes in a row")
    if item.action == "gift_card_clawback":
        return gift_card_clawback(
            client=client, tag=item.tag, payload=item.payload, checkpoint=checkpoint
        )
    raise ValueError(f"unknown outbox action {item.action!r}")


# --- recording the result -------------------------------------------------------------------


def _complete(*, item: OutboxItem, result: dict, now: datetime) -> None:
    """Mark the item done and record what it did in the ledger, in one transaction."""

    reward = item.reward
    with transaction.atomic():
        updated = OutboxItem.objects.filter(pk=item.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.DONE, result=result, done_at=now, lease_until=None, last_error=""
        )
        if not updated:
            return
        if item.action == "voucher_issue":
            redemption_code_issued(
                installation=item.installation,
                code=result["code"],
                voucher_id=result["voucher_id"],
            )
        if reward is None:
            return
        if item.action in ("gift_card_issue", "voucher_issue"):
            shown = {k: v for k, v in result.items() if k != "amount"}
            entry = reward_transition(
                reward=reward,
                from_states=[RewardState.ISSUING],
                action=EntryAction.ISSUED,
                state=RewardState.ISSUED,
                now=now,
                cause_event="OUTBOX",
                cause_id=item.key,
                reason="gift card sent"
                if item.action == "gift_card_issue"
                else "voucher code created",
                details=shown,
            )
            if entry is not None:
                transaction.on_commit(
                    lambda: reward_message_send(reward=reward, template="reward_issued")
                )
        else:
            target = Decimal(item.payload["target"])
            debt = Decimal(result.get("debt", "0"))
            latest = reward.entries.order_by("-seq").first()
            entry = reward_transition(
                reward=reward,
                from_states=[RewardState.ISSUED],
                action=EntryAction.CLAWED_BACK,
                state=RewardState.ISSUED if target > 0 else RewardState.VOIDED,
                amount=target,
                now=now,
                cause_event="OUTBOX",
                cause_id=item.key,
                reason=f"{item.payload.get('why', '')}; {result.get('recovered')} recovered"
                + (f", {debt} owed" if debt > 0 else ""),
                details={
                    **(latest.details if latest else {}),
                    "recovered": result.get("recovered"),
                    "debt": str(debt),
                },
            )
            if entry is not None and entry.state == RewardState.VOIDED:
                transaction.on_commit(
                    lambda: reward_message_send(
                        reward=reward, template="reward_voided", reason=item.payload.get("why", "")
                    )
                )
            if entry is not None:
                debt_record(
                    reward=reward,
                    key=f"clawback:{reward.pk}:{entry.seq}",
                    amount=debt,
                    reason=item.payload.get("why", "clawback"),
                    now=now,
                )
    # The order may have moved on while Saleor was being called (a refund after release).

    order_rewards_reconcile(
        installation=reward.installation,
        order_id=reward.order_id,
        now=now,
        cause_event="OUTBOX",
        cause_id=item.key,
    )
