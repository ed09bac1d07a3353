"""The referee's discount at checkout, reconciled on the captured order-1 checkout of Bob.

Bob signed up with ALICE-REF. The program, in the rules language, gives a referee on a first
order of at least 50 USD 10% off, at most 30 USD. Saleor is the fake (request log); payloads are
the captured ones.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

import rules
from plugin.referrals.models import CheckoutDiscount
from plugin.referrals.services import customer_order_record, referral_attribute
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.checkout_discount import Outcome, checkout_discount_reconcile
from tests.plugin.referrals.doubles import discount_fake, promo_code_added

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    return discount_fake()


@pytest.fixture
def bob_signed_up(installation, captured):
    customer_referral_sync(
        installation=installation, payload=captured("CUSTOMER_CREATED", 1)
    )  # Alice
    customer_referral_sync(
        installation=installation, payload=captured("CUSTOMER_CREATED", 2)
    )  # Bob


def program(percent: int = 10, extra: str = "") -> rules.Program:
    return rules.compile_program(
        'program "Friends" currency USD\n\n'
        "on checkout when referred and customer.orders == 0 and order.subtotal >= 50 USD:\n"
        f"    give referee {percent}% off order max 30 USD\n{extra}",
        "friends.rules",
    )


FIRST_ORDER = program()


@pytest.fixture
def reconcile(installation, fake):
    client = fake.client(retries=0)

    def run(payload, program=FIRST_ORDER):
        return checkout_discount_reconcile(
            installation=installation, payload=payload, client=client, program=program
        )

    return run


def _with_our_code(payload, code):
    """CHECKOUT_UPDATED 7 is Saleor's real view of this checkout with a 10% voucher on it."""
    checkout = payload["checkout"]
    checkout["voucherCode"] = code
    checkout["voucher"] = {**checkout["voucher"], "code": code, "name": "Referral welcome"}
    return payload


def test_discount_is_applied_once_and_the_echo_sends_nothing(
    bob_signed_up, reconcile, fake, captured
):
    assert reconcile(captured("CHECKOUT_CREATED", 1)) is Outcome.NOTHING  # 41.99 USD: too small
    assert fake.mutations() == []

    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.APPLIED  # 61.99 USD
    names = [r.operation_name for r in fake.mutations()]
    assert names == ["VoucherCreate", "VoucherChannelListingUpdate", "CheckoutAddPromoCode"]
    create, listing, add = fake.mutations()
    row = CheckoutDiscount.objects.get()
    assert create.variables["input"] == {
        "name": "Referral welcome (single use)",
        "type": "ENTIRE_ORDER",
        "discountValueType": "PERCENTAGE",
        "singleUse": True,
        "addCodes": [row.code],
    }
    assert listing.variables["input"]["addChannels"] == [
        {"channelId": "Q2hhbm5lbDox", "discountValue": "10"}
    ]
    assert add.variables == {
        "id": captured("CHECKOUT_UPDATED", 1)["checkout"]["id"],
        "promoCode": row.code,
    }
    assert row.referral.code.code == "ALICE-REF" and row.state == "applied"

    # the CHECKOUT_UPDATED our own checkoutAddPromoCode fires: discounted prices, our code on it
    before = len(fake.requests)
    for _ in range(3):
        assert (
            reconcile(_with_our_code(captured("CHECKOUT_UPDATED", 7), row.code))
            is Outcome.UNCHANGED
        )
    assert len(fake.requests) == before


def test_discount_is_removed_when_the_conditions_stop_holding(
    bob_signed_up, reconcile, fake, captured
):
    reconcile(captured("CHECKOUT_UPDATED", 1))
    code = CheckoutDiscount.objects.get().code
    smaller = captured("CHECKOUT_CREATED", 1)  # back to 41.99 USD, our code still on it
    smaller["checkout"]["voucherCode"] = code
    assert reconcile(smaller) is Outcome.REMOVED
    remove, delete = fake.mutations()[-2:]
    assert (remove.operation_name, remove.variables["promoCode"]) == (
        "CheckoutRemovePromoCode",
        code,
    )
    assert (delete.operation_name, delete.variables["id"]) == ("VoucherDelete", "Vm91Y2hlcjo100")
    assert CheckoutDiscount.objects.get().state == "removed"
    smaller["checkout"]["voucherCode"] = None  # the echo of the removal
    count = len(fake.requests)
    assert reconcile(smaller) is Outcome.NOTHING and len(fake.requests) == count
    # the basket grows again: a fresh code, never the deleted one
    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.APPLIED
    assert CheckoutDiscount.objects.get().code != code


def test_a_returning_customer_gets_no_referee_discount(
    bob_signed_up, installation, reconcile, fake, captured
):
    earlier = captured("ORDER_FULLY_PAID", 1)["order"]
    earlier["id"] = "T3JkZXI6ZWFybGllcg=="
    customer_order_record(
        installation=installation,
        order_payload=earlier,
        status="paid",
        at=timezone.now() - timedelta(days=60),
    )
    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.NOTHING
    assert fake.mutations() == []


def test_no_stacking_the_shoppers_own_voucher_stays(bob_signed_up, reconcile, fake, captured):
    reconcile(captured("CHECKOUT_UPDATED", 1))
    mutations = len(fake.mutations())
    # CHECKOUT_UPDATED 7: Bob typed REF-WELCOME-10, which replaced our code in Saleor
    assert reconcile(captured("CHECKOUT_UPDATED", 7)) is Outcome.KEPT_FOREIGN
    added = [r for r in fake.mutations()[mutations:] if r.operation_name == "CheckoutAddPromoCode"]
    assert added == []
    assert CheckoutDiscount.objects.get().state == "removed"


def test_a_capped_percentage_becomes_a_fixed_amount(bob_signed_up, reconcile, fake, captured):
    assert reconcile(captured("CHECKOUT_UPDATED", 1), program(60)) is Outcome.APPLIED
    create, listing, _ = fake.mutations()
    assert create.variables["input"]["discountValueType"] == "FIXED"  # 60% of 61.99 > 30 USD
    assert listing.variables["input"]["addChannels"][0]["discountValue"] == "30.00"
    # the echo shows 30 USD off; the decision is made on undiscounted prices, so nothing changes
    echo = _with_our_code(captured("CHECKOUT_UPDATED", 7), CheckoutDiscount.objects.get().code)
    echo["checkout"]["discount"]["amount"] = 30.0
    echo["checkout"]["subtotalPrice"]["gross"]["amount"] = 31.99
    count = len(fake.requests)
    assert reconcile(echo, program(60)) is Outcome.UNCHANGED
    assert len(fake.requests) == count


def test_a_retry_after_saleor_failed_reuses_the_code(bob_signed_up, reconcile, fake, captured):
    from plugin.saleor.errors import SaleorUnavailable

    fake.fail_next(1, operation="checkout_add_promo_code")
    with pytest.raises(SaleorUnavailable):
        reconcile(captured("CHECKOUT_UPDATED", 1))
    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.APPLIED
    names = [r.operation_name for r in fake.mutations()]
    assert names.count("VoucherCreate") == 1 and names.count("CheckoutAddPromoCode") == 2


def test_self_referral_gets_no_discount(installation, reconcile, fake, captured):
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 1))
    own = captured("CHECKOUT_UPDATED", 1)
    own["checkout"].update(
        email="alice.referrer@example.com",
        user={"id": "VXNlcjo0Ng==", "email": "alice.referrer@example.com"},
        metadata=[{"key": "referral_code", "value": "ALICE-REF"}],
    )
    assert reconcile(own) is Outcome.NOTHING and fake.mutations() == []
    assert (
        referral_attribute(installation=installation, payload=own, kind="checkout").status
        == "refused"
    )


def test_not_referred_or_no_program_means_nothing(installation, reconcile, fake, captured):
    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.NOTHING
    assert reconcile(captured("CHECKOUT_UPDATED", 1), None) is Outcome.NOTHING
    assert fake.requests == []


def test_a_typed_referral_code_is_swapped_for_the_referees_code(
    bob_signed_up, installation, reconcile, fake, captured
):
    typed = captured("CHECKOUT_UPDATED", 1)
    typed["checkout"]["voucherCode"] = "ALICE-REF"  # Bob typed Alice's code at checkout
    assert reconcile(typed) is Outcome.APPLIED
    row = CheckoutDiscount.objects.get()
    assert fake.calls("checkout_add_promo_code")[-1].variables["promoCode"] == row.code
    assert row.referral.source == "voucher" and row.referral.code.code == "ALICE-REF"


def test_a_typed_referral_code_with_a_value_comes_off_when_nothing_is_due(
    bob_signed_up, installation, reconcile, fake, captured
):
    small = captured("CHECKOUT_CREATED", 1)  # 41.99 USD: the program gives nothing
    small["checkout"]["voucherCode"] = "ALICE-REF"  # worth the default 5% in Saleor
    reconcile(small)
    assert [m.operation_name for m in fake.mutations()] == ["CheckoutRemovePromoCode"]
    removed = fake.calls("checkout_remove_promo_code")
    assert [r.variables["promoCode"] for r in removed] == ["ALICE-REF"]


def test_the_referees_best_offer_wins_one_code_per_checkout(
    bob_signed_up, reconcile, fake, captured
):
    shipping = program(extra="\non checkout when referred:\n    give referee free shipping\n")
    # CHECKOUT_UPDATED 6 has EMS shipping of 34.20 USD: worth more than 10% of 61.99 USD
    assert reconcile(captured("CHECKOUT_UPDATED", 6), shipping) is Outcome.APPLIED
    create = fake.calls("voucher_create")[0].variables["input"]
    assert (create["type"], create["discountValueType"]) == ("SHIPPING", "PERCENTAGE")
    assert (
        fake.calls("voucher_channel_listing_update")[0].variables["input"]["addChannels"][0][
            "discountValue"
        ]
        == "100"
    )


def test_free_shipping_echo_is_stable(bob_signed_up, reconcile, fake, captured):
    shipping = program(extra="\non checkout when referred:\n    give referee free shipping\n")
    reconcile(captured("CHECKOUT_UPDATED", 6), shipping)
    echo = captured("CHECKOUT_UPDATED", 6)  # as Saleor shows it: shipping free, 34.20 off
    checkout = echo["checkout"]
    checkout["voucherCode"] = CheckoutDiscount.objects.get().code
    checkout["discount"]["amount"] = 34.2
    checkout["shippingPrice"]["gross"]["amount"] = 0.0
    checkout["totalPrice"]["gross"]["amount"] = 61.99
    count = len(fake.requests)
    assert reconcile(echo, shipping) is Outcome.UNCHANGED and len(fake.requests) == count


def test_a_checkout_event_arriving_after_its_order_changes_nothing(
    bob_signed_up, installation, reconcile, fake, captured
):
    """Saleor refuses promo codes on a completed checkout; a late delivery must not try."""
    referral_attribute(
        installation=installation, payload=captured("ORDER_CREATED", 1), kind="order"
    )
    assert reconcile(captured("CHECKOUT_UPDATED", 6)) is Outcome.NOTHING
    assert fake.requests == [] and not CheckoutDiscount.objects.exists()


def test_saleor_refusing_the_code_is_final_for_this_delivery(
    bob_signed_up, reconcile, fake, captured
):
    fake.on(
        "checkout_add_promo_code",
        lambda v: {
            "checkoutAddPromoCode": {
                "checkout": None,
                "errors": [
                    {
                        "field": "promoCode",
                        "code": "VOUCHER_NOT_APPLICABLE",
                        "message": "Voucher not applicable",
                    }
                ],
            }
        },
    )
    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.REFUSED
    row = CheckoutDiscount.objects.get()
    assert row.state == "creating" and row.saleor_voucher_id  # the voucher is kept for a retry
    fake.on("checkout_add_promo_code", promo_code_added)
    assert reconcile(captured("CHECKOUT_UPDATED", 2)) is Outcome.APPLIED
    assert len(fake.calls("voucher_create")) == 1
    assert {r.variables["promoCode"] for r in fake.calls("checkout_add_promo_code")} == {row.code}


def test_a_referral_in_review_gets_its_discount_only_once_approved(
    bob_signed_up, installation, reconcile, fake, captured
):
    from plugin.referrals.services import referral_mark, referral_review_decide

    referral = referral_attribute(
        installation=installation, payload=captured("CHECKOUT_UPDATED", 1), kind="checkout"
    )
    referral_mark(referral=referral, status="review", reason="velocity_limit")
    assert reconcile(captured("CHECKOUT_UPDATED", 1)) is Outcome.NOTHING
    assert fake.mutations() == []
    referral_review_decide(referral=referral, approve=True, actor="admin@example.com")
    assert reconcile(captured("CHECKOUT_UPDATED", 2)) is Outcome.APPLIED


def test_a_new_value_replaces_the_code_and_then_drops_the_old_voucher(
    bob_signed_up, reconcile, fake, captured
):
    reconcile(captured("CHECKOUT_UPDATED", 1))  # 10 %
    first = CheckoutDiscount.objects.get().code
    assert reconcile(captured("CHECKOUT_UPDATED", 1), program(20)) is Outcome.APPLIED  # now 20 %
    names = [r.operation_name for r in fake.mutations()][3:]
    assert names == [
        "VoucherCreate",
        "VoucherChannelListingUpdate",
        "CheckoutAddPromoCode",
        "VoucherDelete",
    ]
    assert fake.mutations()[-1].variables == {"id": "Vm91Y2hlcjo100"}  # the 10 % one
    assert CheckoutDiscount.objects.get().code != first
