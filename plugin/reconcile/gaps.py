"""Which ORDER_* events an order's current state in Saleor implies that the app never learnt.

Compares an order from the API with the app's `OrderTrack` (paid, fulfilled, refunded amount,
voided) and names the events to replay, in the order Saleor would have sent them, each with
the best moment the API tells. Those moments are never earlier than the real ones (the API has
no payment time), so a hold started from them never ends early.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime

from plugin.saleor.mappers.subjects import order_is_paid
from plugin.saleor.money import amount_of

FULFILLED_STATUSES = {"FULFILLED", "PARTIALLY_RETURNED", "RETURNED"}
END_STATUSES = FULFILLED_STATUSES | {"CANCELED"}  # states an order only reaches by later events


@dataclass(frozen=True)
class Replay:
    """One event to feed through the webhook use case, as if Saleor had delivered it."""

    event: str
    at: datetime
    order: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The shape of a webhook delivery: the use cases read `issuedAt` and `order`."""
        return {"__typename": "Reconciled", "issuedAt": self.at.isoformat(), "order": self.order}


def _moment(value: Any) -> datetime | None:
    return parse_datetime(str(value)) if value else None


def _fulfilled_at(order: dict[str, Any]) -> datetime | None:
    """When the last fulfillment was made: the moment the order became fulfilled."""
    moments = [
        moment
        for fulfillment in order.get("fulfillments") or ()
        if fulfillment.get("status") == "FULFILLED"
        and (moment := _moment(fulfillment.get("created")))
    ]
    return max(moments) if moments else None


def _staged(order: dict[str, Any], *, status: str, refunded: Decimal,
            paid: bool = False) -> dict[str, Any]:
    """The order as it stood at an earlier event: no later refund or end state on it yet, so
    the use case does not learn of a refund or a cancellation before its own event."""
    staged = copy.deepcopy(order)
    staged["status"] = status
    currency = (order.get("totalRefunded") or {}).get("currency") or (
        (order.get("total") or {}).get("currency"))
    staged["totalRefunded"] = {"amount": str(refunded), "currency": currency}
    if paid:
        staged["isPaid"] = True  # Saleor shows a fully refunded order as unpaid
    return staged


def order_replays(
    order: dict[str, Any],
    *,
    known: bool,
    paid: bool,
    fulfilled: bool,
    refunded: Decimal,
    voided: bool,
) -> list[Replay]:
    """The events to replay for `order` given what the app knows of it (its `OrderTrack`)."""
    created = _moment(order.get("created"))
    updated = _moment(order.get("updatedAt")) or created
    if created is None or updated is None:
        return []
    total = amount_of(order.get("total"))
    refunded_now = amount_of(order.get("totalRefunded"))
    fully_refunded = total > 0 and refunded_now >= total
    # Saleor shows a fully refunded order as unpaid; its refund proves it was paid in full.
    was_paid = order_is_paid(order) or fully_refunded
    fulfilled_at = _fulfilled_at(order) or updated
    is_fulfilled = order.get("status") in FULFILLED_STATUSES
    early_status = "UNFULFILLED" if order.get("status") in END_STATUSES else order.get("status")
    replays: list[Replay] = []
    if not known:
        replays.append(Replay("ORDER_CREATED", created,
                              _staged(order, status=early_status, refunded=refunded)))
    if was_paid and not paid:
        paid_at = min(fulfilled_at, updated) if is_fulfilled else updated
        replays.append(Replay("ORDER_FULLY_PAID", max(paid_at, created),
                              _staged(order, status=early_status, refunded=refunded, paid=True)))
    if is_fulfilled and not fulfilled:
        replays.append(Replay("ORDER_FULFILLED", max(fulfilled_at, created),
                              _staged(order, status="FULFILLED", refunded=refunded)))
    if refunded_now > refunded:
        event = "ORDER_FULLY_REFUNDED" if fully_refunded and not voided else "ORDER_REFUNDED"
        replays.append(Replay(event, updated, order))
    if order.get("status") == "CANCELED" and not voided:
        replays.append(Replay("ORDER_CANCELLED", updated, order))
    return replays
