"""The referee's discount when an attempt fails half-way, through the real delivery path.

Each delivery is stored in the inbox and run by `delivery_process`, with its transaction, as
the worker runs it. The stand-in Saleor keeps its vouchers and checkout codes between calls, so
after a failure and the retry we count what is live in "Saleor": one voucher, on the checkout.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import CheckoutDiscount
from plugin.saleor.captures import captured_delivery
from plugin.saleor.fake_rewards import RewardsSaleorState
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.checkout_discount import VOUCHER_NAME
from plugin.webhooks.models import DeliveryStatus
from plugin.webhooks.services import delivery_process, delivery_store
from tests.plugin.referrals.test_referrals_webhooks import FRIENDS

pytestmark = pytest.mark.django_db
CHECKOUT = captured_delivery("CHECKOUT_UPDATED", 1).payload["checkout"]  # Bob's, 61.99 USD


@pytest.fixture
def shop(fake_saleor) -> RewardsSaleorState:
    shop = RewardsSaleorState().install(fake_saleor)
    shop.checkouts[CHECKOUT["id"]] = CHECKOUT  # what Saleor holds is what the delivery says
    return shop


@pytest.fixture
def bob_referred(captured_installation, shop):
    program = program_get_or_create(installation=captured_installation)
    program_save_draft(program=program, actor=SystemActor(), source=FRIENDS)
    program_publish(program=program, actor=SystemActor())
    for number in (1, 2):  # Alice, then Bob who signed up with her code
        customer_referral_sync(
            installation=captured_installation,
            payload=captured_delivery("CUSTOMER_CREATED", number).payload,
        )
    return captured_installation


def _store(installation, event: str, payload: dict) -> int:
    body = json.dumps(payload).encode()
    stored = delivery_store(installation=installation, event=event, body=body, payload=payload)
    return stored.delivery.pk


def _referee_vouchers(shop: RewardsSaleorState) -> list[dict]:
    """The referee vouchers live in Saleor (the typed ALICE-REF voucher is not one)."""
    return [v for v in shop.vouchers.values() if v["name"] == VOUCHER_NAME]


def _codes(voucher: dict) -> list[str]:
    return [edge["node"]["code"] for edge in voucher["codes"]["edges"] if edge["node"]["isActive"]]


FAILURES = {
    # voucherCreate worked, its id is known, then the channel listing keeps failing
    "listing unavailable": {"status": 503, "operation": "voucher_channel_listing_update"},
    # voucherCreate worked in Saleor but no answer ever came back: the id was never known
    "create answer lost": {"lost_answer": True, "operation": "voucher_create"},
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_a_failure_after_voucher_create_leaves_one_voucher_on_the_checkout(
    bob_referred, shop, fake_saleor, failure
):
    delivery_id = _store(bob_referred, "CHECKOUT_UPDATED", captured_delivery(
        "CHECKOUT_UPDATED", 1).payload)
    fake_saleor.fail_next(10, **failure)
    first = delivery_process(delivery_id=delivery_id)
    assert first.status == DeliveryStatus.FAILED
    assert len(_referee_vouchers(shop)) == 1  # Saleor made it before the failure
    assert fake_saleor.calls("checkout_get") == []  # a first attempt trusts the payload

    fake_saleor.recover()
    retried = delivery_process(delivery_id=delivery_id)
    assert retried.status == DeliveryStatus.DONE

    (voucher,) = _referee_vouchers(shop)  # exactly one live referee voucher in Saleor
    row = CheckoutDiscount.objects.get(checkout_id=CHECKOUT["id"])
    assert _codes(voucher) == [row.code] == [shop.checkout_codes[CHECKOUT["id"]]]
    assert (row.saleor_voucher_id, row.state) == (voucher["id"], CheckoutDiscount.State.APPLIED)
    (listing,) = voucher["channelListings"]
    assert (listing["channel"]["slug"], Decimal(str(listing["discountValue"]))) == (
        "default-channel", Decimal(10))
    assert len(fake_saleor.calls("checkout_get")) == 1  # the retry read the checkout again


def test_a_lost_create_answer_is_found_within_the_same_attempt(bob_referred, shop, fake_saleor):
    delivery_id = _store(bob_referred, "CHECKOUT_UPDATED", captured_delivery(
        "CHECKOUT_UPDATED", 1).payload)
    fake_saleor.fail_next(1, lost_answer=True, operation="voucher_create")
    assert delivery_process(delivery_id=delivery_id).status == DeliveryStatus.DONE
    (voucher,) = _referee_vouchers(shop)
    assert _codes(voucher) == [shop.checkout_codes[CHECKOUT["id"]]]
    assert len(fake_saleor.calls("voucher_create")) == 2  # the resend answered ALREADY_EXISTS


def _applied(installation, shop) -> CheckoutDiscount:
    delivery_id = _store(installation, "CHECKOUT_UPDATED", captured_delivery(
        "CHECKOUT_UPDATED", 1).payload)
    assert delivery_process(delivery_id=delivery_id).status == DeliveryStatus.DONE
    row = CheckoutDiscount.objects.get(checkout_id=CHECKOUT["id"])
    assert shop.checkout_codes[CHECKOUT["id"]] == row.code
    return row


def _smaller_basket_with(code: str) -> dict:
    """Bob takes items out (41.99 USD, below the program's 50): the discount must come off."""
    payload = captured_delivery("CHECKOUT_CREATED", 1).payload
    payload["checkout"]["voucherCode"] = code
    return payload


def test_a_lost_remove_answer_is_not_resent_and_the_retry_reads_the_checkout(
    bob_referred, shop, fake_saleor
):
    row = _applied(bob_referred, shop)
    smaller = _smaller_basket_with(row.code)
    shop.checkouts[CHECKOUT["id"]] = smaller["checkout"]
    delivery_id = _store(bob_referred, "CHECKOUT_UPDATED", smaller)

    fake_saleor.fail_next(1, lost_answer=True, operation="checkout_remove_promo_code")
    first = delivery_process(delivery_id=delivery_id)
    assert first.status == DeliveryStatus.FAILED  # not known whether Saleor did it
    assert shop.checkout_codes[CHECKOUT["id"]] is None  # it did

    retried = delivery_process(delivery_id=delivery_id)
    assert retried.status == DeliveryStatus.DONE
    assert len(fake_saleor.calls("checkout_remove_promo_code")) == 1  # never sent twice
    assert len(fake_saleor.calls("checkout_get")) == 1
    row.refresh_from_db()
    assert row.state == CheckoutDiscount.State.REMOVED
    assert _referee_vouchers(shop) == []  # the unused single-use voucher is gone too


def test_saleor_saying_the_code_is_not_attached_is_success(bob_referred, shop, fake_saleor):
    row = _applied(bob_referred, shop)
    # the code came off in Saleor since (the shopper, or an attempt whose answer was lost)
    shop.checkout_remove_promo_code({"id": CHECKOUT["id"], "promoCode": row.code})
    delivery_id = _store(bob_referred, "CHECKOUT_UPDATED", _smaller_basket_with(row.code))

    outcome = delivery_process(delivery_id=delivery_id)

    assert outcome.status == DeliveryStatus.DONE and outcome.attempts == 1
    (answer,) = [r for r in fake_saleor.calls("checkout_remove_promo_code")]
    assert answer.variables["promoCode"] == row.code
    row.refresh_from_db()
    assert row.state == CheckoutDiscount.State.REMOVED
    assert _referee_vouchers(shop) == []
