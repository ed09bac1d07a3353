"""A fake Saleor answering the voucher and promo-code mutations of the checkout discount."""

from __future__ import annotations

from plugin.saleor.fake import FakeSaleor


def promo_code_added(variables: dict) -> dict:
    """Saleor's answer when a promo code goes onto a checkout without trouble."""
    return {
        "checkoutAddPromoCode": {
            "checkout": {"id": variables["id"], "voucherCode": variables["promoCode"]},
            "errors": [],
        }
    }


def discount_fake(fake: FakeSaleor | None = None) -> FakeSaleor:
    """A fake Saleor that answers the checkout-discount mutations like the captured one."""
    fake = fake or FakeSaleor()
    vouchers = iter(range(100, 200))

    def voucher_create(variables):
        voucher = {"id": f"Vm91Y2hlcjo{next(vouchers)}", "code": variables["input"]["addCodes"][0]}
        return {"voucherCreate": {"voucher": voucher, "errors": []}}

    fake.on("voucher_create", voucher_create)
    fake.on(
        "voucher_channel_listing_update",
        lambda v: {"voucherChannelListingUpdate": {"voucher": {"id": v["id"]}, "errors": []}},
    )
    fake.on("checkout_add_promo_code", promo_code_added)
    fake.on(
        "checkout_remove_promo_code",
        lambda v: {
            "checkoutRemovePromoCode": {
                "checkout": {"id": v["id"], "voucherCode": None},
                "errors": [],
            }
        },
    )
    fake.on(
        "voucher_delete", lambda v: {"voucherDelete": {"voucher": {"id": v["id"]}, "errors": []}}
    )
    return fake
