"""The outbox worker: performs each Saleor change exactly once, however often it is interrupted.

Each item is claimed with a lease, then worked in steps. Before creating anything it looks in
Saleor for what an earlier, interrupted attempt may have made (gift cards carry a tag made from
the item's key, vouchers a code derived from it), so a retry finds instead of creating again.
`checkpoint(step)` is called between steps: tests raise there to kill the work mid-way.
"""

from __future__ import annotations

import hashlib
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

from plugin.rewards.gift_card_clawback import gift_card_clawback
from plugin.rewards.models import EntryAction, OutboxItem, OutboxStatus, RewardState
from plugin.rewards.voucher_products import (
    RewardUndeliverable,
    free_product_voucher_input,
    outbox_give_up,
    product_id_for_slug,
)

log = logging.getLogger("plugin.rewards.outbox")

LEASE = timedelta(minutes=5)
REWARD_TAG = "referral-reward"


def _no_checkpoint(step: str) -> None:
    return None


def outbox_tag(key: str) -> str:
    """The tag that makes a gift card recognisable as the result of one outbox item."""
    return "rr-" + hashlib.sha256(key.encode()).hexdigest()[:32]


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
    ).update(lease_until=now + LEASE, attempts=item.attempts + 1)
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
                item=item, client=client_for(item.installation), checkpoint=checkpoint
            )
            checkpoint("before_done")
            _complete(item=item, result=result, now=now)
            run.done.append(item.pk)
        except RewardUndeliverable as exc:  # final: retrying cannot help, the reward is voided
            outbox_give_up(item=item, reason=str(exc), now=now)
            run.failed.append(item.pk)
        except Exception as exc:  # retried later; a dying worker (BaseException) keeps the lease
            _failed(item=item, error=exc, now=now)
            run.failed.append(item.pk)
    return run


def outbox_requeue_dead(*, installation=None) -> int:
    """Items that ran out of attempts get a fresh start (after Saleor is fixed, say)."""
    items = OutboxItem.objects.filter(status=OutboxStatus.DEAD)
    if installation is not None:
        items = items.filter(installation=installation)
    return items.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None)


def _failed(*, item: OutboxItem, error: Exception, now: datetime) -> None:
    max_attempts = int(getattr(settings, "REWARDS_OUTBOX_MAX_ATTEMPTS", 8))
    dead = item.attempts >= max_attempts
    OutboxItem.objects.filter(pk=item.pk).update(
        lease_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=now + timedelta(seconds=30 * 2 ** min(item.attempts, 10)),
        status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
    )
    log.warning("outbox item %s (%s) failed: %s", item.pk, item.key, error)


def _perform(*, item: OutboxItem, client, checkpoint: Callable[[str], None]) -> dict:
    if item.action == "gift_card_issue":
        return gift_card_issue(
            client=client, key=item.key, payload=item.payload, checkpoint=checkpoint
        )
    if item.action == "voucher_issue":
        return voucher_issue(client=client, payload=item.payload, checkpoint=checkpoint)
    if item.action == "gift_card_clawback":
        return gift_card_clawback(
            client=client, tag=outbox_tag(item.key), payload=item.payload, checkpoint=checkpoint
        )
    raise ValueError(f"unknown outbox action {item.action!r}")


# --- the Saleor steps ---------------------------------------------------------------------


def gift_card_issue(*, client, key: str, payload: dict, checkpoint: Callable[[str], None]) -> dict:
    """A gift card sent to the recipient's e-mail, created at most once per key."""
    tag = outbox_tag(key)
    found = client.execute("gift_cards_by_tag", {"tags": [tag]})
    edges = ((found or {}).get("giftCards") or {}).get("edges") or []
    checkpoint("after_lookup")
    if edges:
        card = edges[0]["node"]
    else:
        card_input: dict[str, Any] = {
            "balance": {"amount": payload["amount"], "currency": payload["currency"]},
            "userEmail": payload["email"],
            "isActive": True,
            "addTags": [REWARD_TAG, tag],
            "note": payload.get("note") or "Referral reward",
        }
        if payload.get("channel"):
            card_input["channel"] = payload["channel"]
        if payload.get("expiry_date"):
            card_input["expiryDate"] = payload["expiry_date"]
        created = client.execute_mutation(
            "gift_card_create", {"input": card_input}, "giftCardCreate"
        )
        card = created["giftCard"]
    checkpoint("after_create")
    return {
        "gift_card_id": card["id"],
        "last4": card.get("last4CodeChars") or (card.get("code") or "")[-4:],
        "amount": payload["amount"],
        "currency": payload["currency"],
    }


_CHANNEL_IDS: dict[tuple[int, str], str] = {}


def _channel_id(client, slug: str) -> str:
    cache_key = (id(client), slug)
    if cache_key not in _CHANNEL_IDS:
        channels = (client.execute("channels", {}) or {}).get("channels") or []
        for channel in channels:
            _CHANNEL_IDS[(id(client), channel["slug"])] = channel["id"]
    if cache_key not in _CHANNEL_IDS:
        raise ValueError(f"Saleor has no channel {slug!r}")
    return _CHANNEL_IDS[cache_key]


def _voucher_with_code(client, code: str) -> dict | None:
    found = client.execute("vouchers_by_code", {"code": code}) or {}
    for edge in (found.get("vouchers") or {}).get("edges") or []:
        node = edge["node"]
        codes = [c["node"]["code"] for c in ((node.get("codes") or {}).get("edges") or [])]
        if code in codes or node.get("code") == code:
            return node
    return None


def voucher_issue(*, client, payload: dict, checkpoint: Callable[[str], None]) -> dict:
    """A single-use voucher code (the code itself is derived from the outbox key)."""
    code = payload["code"]
    voucher = _voucher_with_code(client, code)
    checkpoint("after_lookup")
    kind = payload.get("voucher_type")
    if voucher is None:
        voucher_input: dict[str, Any] = {
            "name": payload.get("name") or "Referral reward",
            "type": "SHIPPING" if kind == "free_shipping" else "ENTIRE_ORDER",
            "discountValueType": payload.get("value_type", "FIXED"),
            "addCodes": [code],
            "singleUse": True,
        }
        if kind == "free_product":
            product_id = product_id_for_slug(
                client, slug=payload.get("product") or "", channel=payload["channel"]
            )
            voucher_input.update(free_product_voucher_input(product_id=product_id))
        if payload.get("end_date"):
            voucher_input["endDate"] = f"{payload['end_date']}T23:59:59+00:00"
        voucher = client.execute_mutation(
            "voucher_create", {"input": voucher_input}, "voucherCreate"
        )["voucher"]
    checkpoint("after_create")
    listing_value = "100" if kind in ("free_shipping", "free_product") else payload["value"]
    client.execute_mutation(
        "voucher_channel_listing_update",
        {
            "id": voucher["id"],
            "input": {
                "addChannels": [
                    {
                        "channelId": _channel_id(client, payload["channel"]),
                        "discountValue": listing_value,
                    }
                ]
            },
        },
        "voucherChannelListingUpdate",
    )
    checkpoint("after_listing")
    return {"voucher_id": voucher["id"], "code": code}


# --- recording the result -------------------------------------------------------------------


def _complete(*, item: OutboxItem, result: dict, now: datetime) -> None:
    """Mark the item done and record what it did in the ledger, in one transaction."""
    from plugin.rewards.clawback import debt_record
    from plugin.rewards.services import reward_transition

    reward = item.reward
    with transaction.atomic():
        updated = OutboxItem.objects.filter(pk=item.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.DONE, result=result, done_at=now, lease_until=None, last_error=""
        )
        if not updated or reward is None:
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
                from plugin.messages.services import reward_message_send

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
                from plugin.messages.services import reward_message_send

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
    from plugin.rewards.lifecycle import order_rewards_reconcile

    order_rewards_reconcile(
        installation=reward.installation,
        order_id=reward.order_id,
        now=now,
        cause_event="OUTBOX",
        cause_id=item.key,
    )
