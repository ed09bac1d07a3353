"""Keeps referral codes typeable at checkout: each active code is a voucher code in Saleor.

One voucher per referral code, so deactivating or rotating a code deletes exactly its voucher.
When a friend types the code, CHECKOUT_UPDATED attributes the checkout and the reconcile puts
the referee's single-use code with the program's value in its place.
"""

from __future__ import annotations

import logging
from typing import Any

from plugin.referrals.models import ReferralCode
from plugin.referrals.selectors import referral_settings_get

logger = logging.getLogger(__name__)
VOUCHER_NAME = "Referral code"


def referral_code_publish(*, code: ReferralCode, client: Any) -> ReferralCode:
    """Create the code's voucher in Saleor, listed in every active channel (idempotent)."""
    from plugin.saleor.errors import SaleorMutationError

    if code.saleor_voucher_id or not code.active:
        return code
    try:
        result = client.execute_mutation(
            "voucher_create",
            {
                "input": {
                    "name": f"{VOUCHER_NAME} {code.code}",
                    "type": "ENTIRE_ORDER",
                    "discountValueType": "PERCENTAGE",
                    "addCodes": [code.code],
                }
            },
            "voucherCreate",
        )
    except SaleorMutationError as error:
        if "ALREADY_EXISTS" in error.codes:  # a code the merchant made in Saleor themself
            logger.info("referral code %s already exists in Saleor; left as it is", code.code)
            return code
        raise
    code.saleor_voucher_id = result["voucher"]["id"]
    code.save(update_fields=["saleor_voucher_id"])
    value = referral_settings_get(installation=code.installation).code_voucher_percent
    channels = client.execute("channels").get("channels") or []
    listings = [
        {"channelId": c["id"], "discountValue": str(value)}
        for c in channels
        if c.get("isActive", True)
    ]
    if listings:
        client.execute_mutation(
            "voucher_channel_listing_update",
            {"id": code.saleor_voucher_id, "input": {"addChannels": listings}},
            "voucherChannelListingUpdate",
        )
    return code


def referral_code_unpublish(*, code: ReferralCode, client: Any) -> ReferralCode:
    """Delete the voucher of a deactivated or rotated code, so it cannot be typed any more."""
    if code.saleor_voucher_id and not code.active:
        client.execute_mutation("voucher_delete", {"id": code.saleor_voucher_id}, "voucherDelete")
        code.saleor_voucher_id = ""
        code.save(update_fields=["saleor_voucher_id"])
    return code
