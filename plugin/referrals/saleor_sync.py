"""Keeps referral codes typeable at checkout: each active code is a voucher code in Saleor.

One voucher per referral code, so deactivating or rotating a code deletes exactly its voucher.
When a friend types the code, CHECKOUT_UPDATED attributes the checkout and the reconcile puts
the referee's single-use code with the program's value in its place. Saleor refuses a voucher
worth nothing in a channel, so a code is typeable only while the merchant gives it a value
(`code_voucher_percent` > 0); at 0 codes are shared by link only and have no voucher.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from plugin.referrals.models import ReferralCode
from plugin.referrals.selectors import referral_settings_get
from plugin.saleor.answers import code_already_exists
from plugin.saleor.errors import SaleorMutationError
from plugin.saleor.vouchers import voucher_by_code

logger = logging.getLogger(__name__)
VOUCHER_NAME = "Referral code"


def referral_code_publish(*, code: ReferralCode, client: Any) -> ReferralCode:
    """Bring the code's voucher in Saleor to the merchant's value (idempotent; resumable)."""
    if not code.active:
        return code
    percent = Decimal(referral_settings_get(installation=code.installation).code_voucher_percent)
    if percent <= 0:
        return _voucher_remove(code=code, client=client)
    if not code.saleor_voucher_id and not _voucher_create(code=code, client=client):
        return code
    if code.saleor_voucher_percent != percent:
        _voucher_list(code=code, client=client, percent=percent)
    return code


def referral_code_unpublish(*, code: ReferralCode, client: Any) -> ReferralCode:
    """Delete the voucher of a deactivated or rotated code, so it cannot be typed any more."""
    if not code.active:
        _voucher_remove(code=code, client=client)
    return code


def _voucher_create(*, code: ReferralCode, client: Any) -> bool:
    """The code's own voucher; False when Saleor already has the code (the merchant's own)."""

    try:
        result = client.execute_mutation(
            "voucher_create",
            {
                "input": {
                    "name": f"{VOUCHER_NAME} {code.code}",
                    "type": "ENTIRE_ORDER",
                    "discountValueType": "PERCENTAGE",
                    # the typed value is a welcome until the app swaps in the referee's code;
                    # once per shopper, so it never becomes a standing discount
                    "applyOncePerCustomer": True,
                    "addCodes": [code.code],
                }
            },
            "voucherCreate",
        )
    except SaleorMutationError as error:
        if not code_already_exists(error):
            raise
        # Ours if an attempt whose answer was lost made it (it bears our name); else the
        # merchant's own voucher, which the app never touches.
        found = voucher_by_code(client=client, code=code.code)
        if found is None or found.get("name") != f"{VOUCHER_NAME} {code.code}":
            logger.info("referral code %s already exists in Saleor; left as it is", code.code)
            return False
        result = {"voucher": found}
    code.saleor_voucher_id = result["voucher"]["id"]
    code.saleor_voucher_percent = None  # created, not yet listed in any channel
    code.save(update_fields=["saleor_voucher_id", "saleor_voucher_percent"])
    return True


def _voucher_list(*, code: ReferralCode, client: Any, percent: Decimal) -> None:
    """List (or re-price) the voucher in every active channel at `percent`."""
    channels = client.execute("channels").get("channels") or []
    listings = [
        {"channelId": channel["id"], "discountValue": f"{percent:.2f}"}
        for channel in channels
        if channel.get("isActive", True)
    ]
    if listings:
        client.execute_mutation(
            "voucher_channel_listing_update",
            {"id": code.saleor_voucher_id, "input": {"addChannels": listings}},
            "voucherChannelListingUpdate",
        )
    code.saleor_voucher_percent = percent
    code.save(update_fields=["saleor_voucher_percent"])


def _voucher_remove(*, code: ReferralCode, client: Any) -> ReferralCode:
    if code.saleor_voucher_id:
        client.execute_mutation("voucher_delete", {"id": code.saleor_voucher_id}, "voucherDelete")
        code.saleor_voucher_id = ""
        code.saleor_voucher_percent = None
        code.save(update_fields=["saleor_voucher_id", "saleor_voucher_percent"])
    return code


def referral_codes_resync(*, installation: Any, client: Any) -> int:
    """After the merchant changed the typed value: bring every active code to it. Returns how
    many codes were looked at; codes already at the value send nothing, so a retry resumes."""
    seen = 0
    codes = ReferralCode.objects.filter(installation=installation, active=True).order_by("pk")
    for code in codes.iterator(chunk_size=500):
        referral_code_publish(code=code, client=client)
        seen += 1
    return seen
