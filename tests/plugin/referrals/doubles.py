"""Test doubles of the referral tests: a checkout program in the shape the rules engine decides,
and a fake Saleor answering the voucher and promo-code mutations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from plugin.saleor.fake import FakeSaleor
from rules.facts import Facts, Trigger
from rules.money import Money

CAP = Money.of(30, "USD")


@dataclass(frozen=True)
class Reward:
    recipient: str
    kind: str
    percent: Decimal | None = None
    amount: Money | None = None
    max_amount: Money | None = None


@dataclass(frozen=True)
class Decision:
    rewards: tuple[Reward, ...]


@dataclass(frozen=True)
class FirstOrderProgram:
    """`on checkout when referred and customer.orders == 0 and subtotal >= 50 USD:
    give referee <percent>% off order max <cap> USD` — the shape the rules engine decides."""

    percent: Decimal = Decimal(10)
    cap: Money = CAP

    def evaluate(self, facts: Facts) -> Decision:
        holds = (
            facts.trigger is Trigger.CHECKOUT
            and facts.referral.is_referred
            and facts.customer.orders == 0
            and facts.order.subtotal >= Money.of(50, "USD")
        )
        reward = Reward("referee", "discount", percent=self.percent, max_amount=self.cap)
        return Decision((reward,) if holds else ())


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
    fake.on(
        "checkout_add_promo_code",
        lambda v: {
            "checkoutAddPromoCode": {
                "checkout": {"id": v["id"], "voucherCode": v["promoCode"]},
                "errors": [],
            }
        },
    )
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
