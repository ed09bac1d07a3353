"""Canned answers of the fake Saleor, taken from the captures (transcript and deliveries).

Objects (orders, checkouts, customers) are the newest captured state of each, from the
webhook deliveries in arrival order; mutation answers are the app-token calls of the transcript.
"""

from __future__ import annotations

import base64
import copy
from decimal import Decimal
from functools import cache
from typing import Any

from plugin.saleor.captures import captured_deliveries, transcript

# operation name -> label of the transcript entry whose response answers it
_TRANSCRIPT_ANSWERS = {
    "AppWhoami": "app-token: query app { id } (whoami)",
    "VoucherCreate": "app-token: voucherCreate with addCodes",
    "VoucherChannelListingUpdate": "app-token: voucherChannelListingUpdate",
    "VoucherAddCodes": "app-token: voucherUpdate addCodes (more codes later)",
    "VoucherGet": "app-token: query voucher by id",
    "GiftCardCreate": "app-token: giftCardCreate with userEmail and balance",
    "GiftCardUpdate": "app-token: giftCardUpdate balanceAmount (top-up)",
    "CheckoutAddPromoCode": (
        "app-token: checkoutAddPromoCode (voucher code) on a customer's checkout"
    ),
    "CheckoutRemovePromoCode": (
        "app-token: checkoutRemovePromoCode (voucher) on customer's checkout"
    ),
    "CustomerMetadataUpdate": "app-token: updateMetadata on a user (Alice)",
    "PrivateMetadataUpdate": "app-token: updatePrivateMetadata on an order (order1)",
}


@cache
def _transcript_data() -> dict[str, dict[str, Any]]:
    by_label = {entry["label"]: entry for entry in transcript() if entry.get("label")}
    return {op: by_label[label]["response"]["data"] for op, label in _TRANSCRIPT_ANSWERS.items()}


@cache
def _latest_objects() -> dict[str, dict[str, dict[str, Any]]]:
    """Newest captured state of every order, checkout, customer and channel, by id."""
    latest: dict[str, dict[str, dict[str, Any]]] = {
        "order": {}, "checkout": {}, "user": {}, "channel": {}
    }
    deliveries = sorted(captured_deliveries(), key=lambda d: d.received_at)
    for delivery in deliveries:
        for kind in ("order", "checkout", "user"):
            obj = delivery.payload.get(kind)
            if isinstance(obj, dict) and obj.get("id"):
                latest[kind][obj["id"]] = obj
                channel = obj.get("channel")
                if isinstance(channel, dict) and channel.get("id"):
                    latest["channel"][channel["id"]] = {**channel, "isActive": True}
    return latest


def _cursor(index: int) -> str:
    return base64.b64encode(f"fake:{index}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    return int(base64.b64decode(cursor).decode().split(":", 1)[1]) + 1


def _page(items: list[dict[str, Any]], variables: dict[str, Any]) -> dict[str, Any]:
    first = min(int(variables.get("first") or 100), 100)
    start = _offset(variables.get("after"))
    chunk = items[start : start + first]
    end = start + len(chunk) - 1
    return {
        "totalCount": len(items),
        "pageInfo": {
            "hasNextPage": start + first < len(items),
            "endCursor": _cursor(end) if chunk else None,
        },
        "edges": [{"node": node, "cursor": _cursor(start + i)} for i, node in enumerate(chunk)],
    }


def _since(items: list[dict[str, Any]], since: str | None, key: str) -> list[dict[str, Any]]:
    ordered = sorted(items, key=lambda item: item.get(key) or "")
    # ISO-8601 strings in one offset (+00:00) sort like the moments they name
    return [item for item in ordered if not since or (item.get(key) or "") >= since]


def voucher_listing_refusal(
    variables: dict[str, Any], listed: frozenset[str] = frozenset()
) -> dict[str, Any] | None:
    """Saleor 3.24 refuses a new channel listing without a value, and a zero value counts as
    none (its `voucherChannelListingUpdate` checks `not discount_value` for new listings);
    `listed`: channel ids the voucher is already listed in (updating those needs no value)."""
    empty = [
        listing.get("channelId")
        for listing in (variables.get("input") or {}).get("addChannels") or []
        if listing.get("channelId") not in listed
        and not Decimal(str(listing.get("discountValue") or 0))
    ]
    if not empty:
        return None
    error = {"field": "discountValue", "code": "REQUIRED",
             "message": "Value is required for voucher.", "channels": empty}
    return {"voucherChannelListingUpdate": {"voucher": None, "errors": [error]}}


def answer(operation: str, variables: dict[str, Any]) -> dict[str, Any] | None:
    """The canned `data` for an operation, or None when the captures have no answer."""
    objects = _latest_objects()
    if operation == "VoucherChannelListingUpdate":
        refused = voucher_listing_refusal(variables)
        if refused:
            return refused
    if operation in _TRANSCRIPT_ANSWERS:
        return copy.deepcopy(_transcript_data()[operation])
    if operation in ("OrderGet", "OrderReread"):
        return {"order": copy.deepcopy(objects["order"].get(variables.get("id", "")))}
    if operation == "CheckoutGet":
        return {"checkout": copy.deepcopy(objects["checkout"].get(variables.get("id", "")))}
    if operation == "CustomerGet":
        users = objects["user"].values()
        wanted_id, wanted_email = variables.get("id"), (variables.get("email") or "").lower()
        found = next(
            (u for u in users if u["id"] == wanted_id or (u.get("email") or "") == wanted_email),
            None,
        )
        return {"user": copy.deepcopy(found)}
    if operation == "Channels":
        return {"channels": copy.deepcopy(list(objects["channel"].values()))}
    if operation in ("OrdersRecent", "OrdersReconcile", "OrdersFacts"):
        orders = _since(list(objects["order"].values()), variables.get("updatedSince"), "updatedAt")
        return {"orders": copy.deepcopy(_page(orders, variables))}
    if operation == "CustomersPage":
        users = _since(list(objects["user"].values()), variables.get("updatedSince"), "updatedAt")
        return {"customers": copy.deepcopy(_page(users, variables))}
    return None
