"""Creates a reward's or a redemption's single-use voucher in Saleor, at most once per code.

The code is random and stored on the outbox item before Saleor hears of it, so a retry looks the
code up and finds what an interrupted attempt made. A voucher found with the code that is not
shaped like ours (another app or database drew the same code) is never adopted: the caller
draws a fresh code (`VoucherCodeTaken`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from plugin.rewards.voucher_products import free_product_voucher_input, product_id_for_slug
from plugin.saleor.errors import SaleorMutationError
from plugin.saleor.money import to_decimal
from plugin.saleor.vouchers import voucher_by_code


class VoucherCodeTaken(RuntimeError):
    """Saleor already has this code on a voucher that is not this item's."""

    def __init__(self, code: str) -> None:
        super().__init__(f"voucher code {code[:3]}…{code[-4:]} is taken in Saleor")
        self.code = code


_CHANNEL_IDS: dict[tuple[int, str], str] = {}


def channel_id(client, slug: str) -> str:
    cache_key = (id(client), slug)
    if cache_key not in _CHANNEL_IDS:
        channels = (client.execute("channels", {}) or {}).get("channels") or []
        for channel in channels:
            _CHANNEL_IDS[(id(client), channel["slug"])] = channel["id"]
    if cache_key not in _CHANNEL_IDS:
        raise ValueError(f"Saleor has no channel {slug!r}")
    return _CHANNEL_IDS[cache_key]


def voucher_codes(voucher: dict[str, Any]) -> list[dict[str, Any]]:
    """The voucher's code nodes (`id`, `code`, `used`, `isActive`)."""
    return [edge["node"] for edge in ((voucher.get("codes") or {}).get("edges") or [])]


def _value_type(payload: dict) -> str:
    return payload.get("value_type", "FIXED")


def _listing_value(payload: dict) -> str:
    kind = payload.get("voucher_type")
    return "100" if kind in ("free_shipping", "free_product") else payload["value"]


def voucher_is_ours(voucher: dict[str, Any], payload: dict) -> bool:
    """Made by this item: our name, single use, our kind of value and (once listed) our value."""
    if voucher.get("name") != (payload.get("name") or "Referral reward"):
        return False
    if not voucher.get("singleUse") or voucher.get("discountValueType") != _value_type(payload):
        return False
    for listing in voucher.get("channelListings") or []:
        if (listing.get("channel") or {}).get("slug") == payload["channel"]:
            listed = to_decimal(listing.get("discountValue"))
            return listed == Decimal(_listing_value(payload))
    return True  # an attempt that died before listing it


def _voucher_create(*, client, payload: dict, code: str) -> dict:
    kind = payload.get("voucher_type")
    voucher_input: dict[str, Any] = {
        "name": payload.get("name") or "Referral reward",
        "type": "SHIPPING" if kind == "free_shipping" else "ENTIRE_ORDER",
        "discountValueType": _value_type(payload),
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
    try:
        return client.execute_mutation(
            "voucher_create", {"input": voucher_input}, "voucherCreate"
        )["voucher"]
    except SaleorMutationError as error:
        if "ALREADY_EXISTS" in error.codes:  # someone took the code between lookup and create
            raise VoucherCodeTaken(code) from error
        raise


def voucher_issue(*, client, payload: dict, checkpoint: Callable[[str], None]) -> dict:
    """A single-use voucher with the item's stored code, made once and listed in its channel."""
    code = payload["code"]
    voucher = voucher_by_code(client=client, code=code)
    checkpoint("after_lookup")
    if voucher is not None and not voucher_is_ours(voucher, payload):
        raise VoucherCodeTaken(code)
    if voucher is None:
        try:
            voucher = _voucher_create(client=client, payload=payload, code=code)
        except VoucherCodeTaken:
            # An earlier attempt's create, answered too late for it, may have landed after the
            # lookup: that voucher is this item's, and a fresh code would orphan it in Saleor.
            voucher = voucher_by_code(client=client, code=code)
            if voucher is None or not voucher_is_ours(voucher, payload):
                raise
    checkpoint("after_create")
    client.execute_mutation(
        "voucher_channel_listing_update",
        {
            "id": voucher["id"],
            "input": {
                "addChannels": [
                    {
                        "channelId": channel_id(client, payload["channel"]),
                        "discountValue": _listing_value(payload),
                    }
                ]
            },
        },
        "voucherChannelListingUpdate",
    )
    checkpoint("after_listing")
    return {"voucher_id": voucher["id"], "code": code}
