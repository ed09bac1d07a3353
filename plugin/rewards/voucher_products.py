"""Free-product vouchers: finding the product in Saleor; giving up on what Saleor cannot take.

A slug Saleor does not sell in the order's channel will not appear by retrying, so it is a
final failure: the outbox item is closed and the reward voided with the reason, once; the
recipient is told in plain words, without the shop's channel names.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction

from plugin.rewards.models import EntryAction, OutboxItem, OutboxStatus, RewardState
from plugin.rewards.notices import reward_message_send
from plugin.rewards.services import reward_transition, reward_usage_release

log = logging.getLogger("plugin.rewards.outbox")


class RewardUndeliverable(Exception):
    """Saleor can never carry out this item as asked (not a passing failure): do not retry."""


def product_id_for_slug(client, *, slug: str, channel: str) -> str:
    """Saleor's id of the product `slug` as sold in `channel`; RewardUndeliverable if none."""
    if not slug:
        raise RewardUndeliverable("the free product has no product slug")
    found = client.execute("products_by_slug", {"slug": slug, "channel": channel}) or {}
    for edge in (found.get("products") or {}).get("edges") or []:
        node = edge.get("node") or {}
        if node.get("slug") == slug and node.get("id"):
            return node["id"]
    raise RewardUndeliverable(f"free product {slug!r} is not sold in channel {channel!r}")


def free_product_voucher_input(*, product_id: str) -> dict[str, Any]:
    """What makes a voucher give one unit of one product free (its value, 100, is per channel)."""
    return {
        "type": "SPECIFIC_PRODUCT",
        "products": [product_id],
        "discountValueType": "PERCENTAGE",
        # Applied to the cheapest matching line once, not to every unit in the cart.
        "applyOncePerOrder": True,
    }


def shopper_reason(reward: Any) -> str:
    """Why, in the recipient's words: the ledger keeps the merchant's detail (slug, channel)."""
    if reward.voucher_type == "free_product" and reward.product:
        return f'the free product "{reward.product}" is no longer available'
    return "it could not be issued"


def outbox_give_up(*, item: OutboxItem, reason: str, now: datetime) -> None:
    """Close the item for good and void its reward with `reason` (one transaction, once)."""

    reward = item.reward
    with transaction.atomic():
        closed = OutboxItem.objects.filter(pk=item.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.DONE,
            result={"undeliverable": reason},
            done_at=now,
            lease_until=None,
            last_error=f"{RewardUndeliverable.__name__}: {reason}"[:2000],
        )
        if closed and reward is not None:
            voided = reward_transition(
                reward=reward,
                from_states=[RewardState.ISSUING],
                action=EntryAction.VOIDED,
                state=RewardState.VOIDED,
                now=now,
                cause_event="OUTBOX",
                cause_id=item.key,
                reason=f"not issued: {reason}",
            )
            if voided is not None:
                reward_usage_release(reward=reward)

                transaction.on_commit(
                    lambda: reward_message_send(
                        reward=reward, template="reward_voided", reason=shopper_reason(reward)
                    )
                )
    log.warning("outbox item %s (%s) given up: %s", item.pk, item.key, reason)
