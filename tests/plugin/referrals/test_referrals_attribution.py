"""Attribution from each source in order, on the captured flows (Alice ALICE-REF refers Bob)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.referrals.models import Referral
from plugin.referrals.selectors import customer_facts, referral_facts, referral_for_order
from plugin.referrals.services import (
    customer_order_record,
    referral_attribute,
    referral_code_create,
    referral_code_deactivate,
)
from plugin.use_cases.attribution import customer_referral_sync

pytestmark = pytest.mark.django_db
BOB = "VXNlcjo0Nw=="


def test_a_users_own_referral_code_metadata_becomes_their_code(alice):
    assert alice.owner_email == "alice.referrer@example.com"
    assert alice.owner_customer_id == "VXNlcjo0Ng=="
    assert alice.owner_name == "Alice"


def test_signup_code_is_recorded_once_and_survives_confirmation(installation, alice, captured):
    first = customer_referral_sync(
        installation=installation, payload=captured("CUSTOMER_CREATED", 2)
    )
    again = customer_referral_sync(
        installation=installation, payload=captured("ACCOUNT_CONFIRMED", 1)
    )
    assert first is not None and first.pk == again.pk
    assert (first.source, first.referee_email, first.referee_id) == (
        "signup",
        "bob.friend@example.com",
        BOB,
    )
    assert first.code == alice and first.referrer_email == alice.owner_email
    assert Referral.objects.count() == 1


def test_checkout_without_code_is_attributed_from_the_signup(installation, alice, captured):
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 2))
    referral = referral_attribute(
        installation=installation, payload=captured("CHECKOUT_CREATED", 1), kind="checkout"
    )
    assert referral.source == "signup" and referral.code == alice
    assert referral.checkout_id == captured("CHECKOUT_CREATED", 1)["checkout"]["id"]


def test_checkout_metadata_attributes_and_replays_are_idempotent(installation, alice, captured):
    payload = captured("CHECKOUT_UPDATED", 6)  # updateMetadata referral_code=ALICE-REF
    first = referral_attribute(installation=installation, payload=payload, kind="checkout")
    for _ in range(3):
        assert (
            referral_attribute(installation=installation, payload=payload, kind="checkout").pk
            == first.pk
        )
    assert first.source == "metadata" and first.status == "attributed"
    assert Referral.objects.count() == 1


def test_voucher_code_comes_before_metadata(installation, alice, captured):
    bella = referral_code_create(
        installation=installation,
        customer_id="VXNlcjo5OQ==",
        email="bella@example.com",
        name="Bella",
    )
    payload = captured("CHECKOUT_UPDATED", 6)
    payload["checkout"]["voucherCode"] = bella.code  # typed at checkout; metadata says ALICE-REF
    referral = referral_attribute(installation=installation, payload=payload, kind="checkout")
    assert (referral.code, referral.source) == (bella, "voucher")


def test_unknown_or_deactivated_codes_attribute_nothing(installation, alice, captured):
    payload = captured("CHECKOUT_UPDATED", 6)
    payload["checkout"]["metadata"] = [{"key": "referral_code", "value": "NOBODY-2345"}]
    assert referral_attribute(installation=installation, payload=payload, kind="checkout") is None
    referral_code_deactivate(code=alice)
    assert (
        referral_attribute(
            installation=installation, payload=captured("CHECKOUT_UPDATED", 6), kind="checkout"
        )
        is None
    )


def test_order_joins_its_checkouts_referral_and_paid_order_converts_it(
    installation, alice, captured
):
    checkout_referral = referral_attribute(
        installation=installation, payload=captured("CHECKOUT_UPDATED", 6), kind="checkout"
    )
    order_payload = captured("ORDER_CREATED", 1)
    order_referral = referral_attribute(
        installation=installation, payload=order_payload, kind="order"
    )
    assert order_referral.pk == checkout_referral.pk
    assert order_referral.order_id == order_payload["order"]["id"]
    assert (
        referral_for_order(installation=installation, order_payload=order_payload).pk
        == checkout_referral.pk
    )
    record = customer_order_record(
        installation=installation, order_payload=captured("ORDER_FULLY_PAID", 1), status="paid"
    )
    assert record.total == Decimal("84.99") and record.currency == "USD" and record.number == "21"
    assert record.referral_id == checkout_referral.pk and record.paid_at is not None
    checkout_referral.refresh_from_db()
    assert checkout_referral.status == "converted"
    # a replayed ORDER_CREATED never moves the order back to "created"
    customer_order_record(installation=installation, order_payload=order_payload, status="created")
    record.refresh_from_db()
    assert record.status == "paid"


def test_device_switch_and_guest_to_account_keep_the_referral(installation, alice, captured):
    """Carol checks out as a guest from the link; later, logged in on another device, no code."""
    guest = referral_attribute(
        installation=installation, payload=captured("CHECKOUT_UPDATED", 25), kind="checkout"
    )
    assert guest.referee_email == "carol.app-created@example.com" and guest.referee_id == ""
    later = captured("CHECKOUT_CREATED", 4)["checkout"]
    later.update(
        id="Q2hlY2tvdXQ6bmV3LWRldmljZQ==",
        email="Carol.App-Created+phone@Example.com",
        user={"id": "VXNlcjo0OA==", "email": "carol.app-created@example.com"},
        metadata=[],
    )
    second = referral_attribute(installation=installation, payload=later, kind="checkout")
    assert second.pk != guest.pk
    assert (second.source, second.code, second.referee_id) == ("earlier", alice, "VXNlcjo0OA==")


def test_earlier_attribution_expires_with_the_window(installation, alice, captured):
    referral_attribute(
        installation=installation,
        payload=captured("CHECKOUT_UPDATED", 25),
        kind="checkout",
        now=timezone.now() - timedelta(days=31),
    )
    later = captured("CHECKOUT_CREATED", 4)["checkout"]
    later.update(id="Q2hlY2tvdXQ6bGF0ZQ==", email="carol.app-created@example.com", metadata=[])
    assert referral_attribute(installation=installation, payload=later, kind="checkout") is None


def test_new_customer_means_no_earlier_paid_order_by_user_or_email(installation, captured):
    now = timezone.now()
    assert customer_facts(
        installation=installation, customer_id=BOB, email="bob.friend@example.com", before=now
    ).is_new
    customer_order_record(
        installation=installation,
        order_payload=captured("ORDER_FULLY_PAID", 1),
        status="paid",
        at=now - timedelta(days=40),
    )
    by_email = customer_facts(
        installation=installation, customer_id=None, email="Bob.Friend+x@example.com", before=now
    )
    assert not by_email.is_new and by_email.orders == 1 and str(by_email.total_spent) == "84.99 USD"
    before_it = customer_facts(
        installation=installation, customer_id=BOB, email="", before=now - timedelta(days=41)
    )
    assert before_it.is_new and before_it.orders == 0
    # a cancelled order is not a paid order
    customer_order_record(
        installation=installation, order_payload=captured("ORDER_CANCELLED", 1), status="cancelled"
    )
    dan = captured("ORDER_CANCELLED", 1)["order"]
    assert customer_facts(
        installation=installation, customer_id=None, email=dan["userEmail"], before=now
    ).is_new


def test_customer_history_gives_interval_and_periods_missed(installation, captured):
    now = timezone.now()
    for days_ago, number in ((100, 1), (70, 2), (40, 3)):
        order = captured("ORDER_FULLY_PAID", 1)["order"]
        order["id"] = f"T3JkZXI6{number}"
        customer_order_record(
            installation=installation,
            order_payload=order,
            status="paid",
            at=now - timedelta(days=days_ago),
        )
    facts = customer_facts(installation=installation, customer_id=BOB, email="", before=now)
    assert facts.orders == 3 and facts.usual_interval == timedelta(days=30)
    assert facts.periods_missed == 1 and str(facts.total_spent) == "254.97 USD"


def test_referral_facts_describe_the_referrer(installation, alice, captured):
    referral = referral_attribute(
        installation=installation, payload=captured("CHECKOUT_UPDATED", 6), kind="checkout"
    )
    facts = referral_facts(installation=installation, referral=referral, now=timezone.now())
    assert facts.is_referred and facts.code == "ALICE-REF" and facts.days_since == 0
    assert facts.referrer.email == "alice.referrer@example.com" and facts.referrer.referrals == 1
    assert (
        referral_facts(installation=installation, referral=None, now=timezone.now()).is_referred
        is False
    )


def test_order_recorded_before_attribution_is_joined_and_converted(installation, alice, captured):
    """The order-event use case stores the order first, then attributes it (any order works)."""
    paid = captured("ORDER_FULLY_PAID", 2)  # order #23: guest checkout with Carol's e-mail
    record = customer_order_record(installation=installation, order_payload=paid, status="paid")
    assert record.referral is None
    referral = referral_attribute(installation=installation, payload=paid, kind="order")
    assert referral.source == "metadata" and referral.order_id == paid["order"]["id"]
    record.refresh_from_db()
    referral.refresh_from_db()
    assert record.referral_id == referral.pk and referral.status == "converted"


def test_checkout_metadata_comes_before_the_signup_code(installation, alice, captured):
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 2))
    bella = referral_code_create(
        installation=installation, customer_id="VXNlcjo5OQ==", email="bella@example.com"
    )
    payload = captured("CHECKOUT_UPDATED", 6)  # Bob, who signed up with ALICE-REF
    payload["checkout"]["metadata"] = [{"key": "referral_code", "value": bella.code}]
    referral = referral_attribute(installation=installation, payload=payload, kind="checkout")
    assert (referral.code, referral.source) == (bella, "metadata")
    # a later switch of link on the same checkout follows the newest code the shopper chose
    payload["checkout"]["metadata"] = [{"key": "referral_code", "value": "ALICE-REF"}]
    again = referral_attribute(installation=installation, payload=payload, kind="checkout")
    assert again.pk == referral.pk and (again.code, again.source) == (alice, "metadata")
