"""Payload → facts mappers, run over every captured delivery and checked against real values."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from plugin.saleor.captures import captured_deliveries, captured_delivery, variant_deliveries
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.ids import decode_global_id
from plugin.saleor.mappers import (
    PayloadError,
    checkout_facts,
    checkout_ref,
    customer_ref,
    event_meta,
    gift_card_event,
    order_facts,
    order_ref,
    referral_code_from_metadata,
    voucher_event,
)
from rules.money import Money

ALL = list(captured_deliveries(variants=True))
APP_ID = "QXBwOjE="  # the referral app of the capture run


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def _ids(deliveries):
    return [f"{d.variant or d.event}-{d.number}" for d in deliveries]


@pytest.mark.parametrize("delivery", ALL, ids=_ids(ALL))
def test_every_delivery_has_meta_and_maps_by_family(delivery):
    payload = delivery.payload
    meta = event_meta(payload)
    assert meta.version == "3.24.0-a.0"
    assert meta.issued_at is not None and meta.issued_at.utcoffset().total_seconds() == 0
    assert meta.principal_kind in {"app", "user", None}
    assert meta.typename.lower() == delivery.event.replace("_", "").lower()

    if "order" in payload:
        facts, ref = order_facts(payload), order_ref(payload)
        assert decode_global_id(facts.id)[0] == "Order"
        assert facts.currency == "USD" and facts.channel == "default-channel"
        assert facts.total == usd(str(payload["order"]["total"]["gross"]["amount"]))
        assert sum((line.total_price for line in facts.lines), usd("0")) == facts.subtotal
        assert facts.subtotal + facts.shipping >= facts.total  # gift cards only lower it
        assert ref.referral_code == "ALICE-REF"  # copied from every checkout onto its order
        assert decode_global_id(ref.checkout_id)[0] == "Checkout"
    if "checkout" in payload:
        facts, ref = checkout_facts(payload), checkout_ref(payload)
        assert decode_global_id(facts.id)[0] == "Checkout"
        assert facts.number is None and facts.refunded is None
        assert sum((line.total_price for line in facts.lines), usd("0")) == facts.subtotal
        assert ref.token and ref.token in decode_global_id(facts.id)[1]
    if "user" in payload:
        customer = customer_ref(payload)
        if customer is not None:
            assert decode_global_id(customer.id)[0] == "User"
            assert customer.email == payload["user"]["email"].lower()
    if "giftCard" in payload:
        card = gift_card_event(payload)
        assert decode_global_id(card.id)[0] == "GiftCard"
        assert card.kind in {"created", "updated", "sent"}
    if "voucher" in payload or "voucherCodes" in payload:
        assert voucher_event(payload).kind in {"created", "updated", "codes_created"}


def test_order_21_as_created():
    payload = captured_delivery("ORDER_CREATED", 1).payload
    facts, ref = order_facts(payload), order_ref(payload)
    assert facts.number == "21"
    assert facts.total == usd("84.99") and str(facts.total.amount) == "84.99"
    assert facts.subtotal == usd("55.79") and facts.shipping == usd("34.20")
    assert facts.voucher_code == "REF-WELCOME-10"
    assert facts.is_paid is True and facts.refunded == usd("0")
    tee, juice = facts.lines
    assert (tee.product, tee.quantity, tee.sku) == ("ascii-tee", 3, "328223580")
    assert tee.unit_price == usd("18.00") and tee.total_price == usd("54.00")  # voucher spread in
    assert (tee.category, tee.collections) == ("t-shirts", ("featured-products",))
    assert (juice.product_name, juice.sku, juice.quantity) == ("Apple Juice", None, 1)
    assert juice.unit_price == usd("1.79") and juice.collections == ()
    assert ref.referral_code == "ALICE-REF"
    assert ref.customer.email == "bob.friend@example.com"
    assert ref.customer.referred_by_code is None  # order's user carries no metadata
    assert ref.status == "UNFULFILLED" and not ref.is_canceled


def test_order_21_refunds_add_up():
    partial = order_ref(captured_delivery("ORDER_REFUNDED", 1).payload)
    full = order_ref(captured_delivery("ORDER_FULLY_REFUNDED", 1).payload)
    assert partial.refunded == usd("21.25") and not partial.is_fully_refunded
    assert full.refunded == usd("84.99") and full.is_fully_refunded
    assert full.is_paid is False and full.charge_status == "NONE"
    assert order_facts(captured_delivery("ORDER_FULLY_REFUNDED", 1).payload).refunded == usd(
        "84.99"
    )


def test_canceled_guest_order_22():
    delivery = captured_delivery("ORDER_CANCELLED", 1)
    ref = order_ref(delivery.payload)
    assert ref.number == "22" and ref.status == "CANCELED" and ref.is_canceled
    assert ref.customer is None and ref.email == "dan.guest@example.com"
    assert ref.total == usd("184.20") and ref.is_paid is False
    assert event_meta(delivery.payload).principal_kind == "user"  # staff ran orderCancel


def test_guest_checkout_with_carols_email_is_attached_to_carol():
    delivery = captured_delivery("ORDER_FULLY_PAID", 2)
    ref = order_ref(delivery.payload)
    assert ref.number == "23" and ref.is_paid and ref.status == "UNCONFIRMED"
    assert ref.customer.email == "carol.app-created@example.com"
    created = event_meta(captured_delivery("ORDER_CREATED", 2).payload)
    assert created.principal_kind is None  # anonymous guest checkout


def test_checkout_before_the_order_links_to_it():
    payload = captured_delivery("CHECKOUT_FULLY_PAID", 1).payload
    facts, ref = checkout_facts(payload), checkout_ref(payload)
    assert facts.total == usd("84.99") and facts.subtotal == usd("55.79")
    assert facts.voucher_code == "REF-WELCOME-10" and facts.is_paid is True
    assert ref.referral_code == "ALICE-REF" and ref.customer.id == "VXNlcjo0Nw=="
    assert order_ref(captured_delivery("ORDER_CREATED", 1).payload).checkout_id == ref.id


def test_anonymous_checkout_without_email():
    payload = captured_delivery("CHECKOUT_CREATED", 3).payload
    ref = checkout_ref(payload)
    assert ref.email is None and ref.customer is None and ref.referral_code is None
    assert event_meta(payload).principal_kind is None
    assert checkout_facts(payload).total == usd("75.00")


def test_the_apps_own_mutations_are_recognisable():
    mine = event_meta(captured_delivery("ORDER_METADATA_UPDATED", 1).payload)
    assert mine.is_by_app(APP_ID) and mine.principal_label == "Referral Rewards (local test)"
    payment_app = event_meta(captured_delivery("ORDER_REFUNDED", 1).payload)
    assert payment_app.principal_kind == "app" and not payment_app.is_by_app(APP_ID)
    staff = event_meta(captured_delivery("ORDER_FULFILLED", 1).payload)
    assert staff.principal_kind == "user" and staff.principal_label == "admin@example.com"


def test_customers_and_their_codes():
    alice = customer_ref(captured_delivery("CUSTOMER_CREATED", 1).payload)
    assert alice.email == "alice.referrer@example.com" and alice.name == "Alice Referrer"
    assert alice.own_referral_code == "ALICE-REF" and alice.referred_by_code is None
    bob = customer_ref(captured_delivery("ACCOUNT_CONFIRMATION_REQUESTED", 1).payload)
    assert bob.referred_by_code == "ALICE-REF" and bob.is_confirmed is False
    assert customer_ref(captured_delivery("ACCOUNT_CONFIRMED", 1).payload).is_confirmed is True
    carol = customer_ref(captured_delivery("CUSTOMER_DELETED", 1).payload)
    assert carol.referred_by_code == "ALICE-REF"  # metadata key `referred_by`, set by the app


def test_payload_with_nulled_user_and_errors():
    (deleted,) = variant_deliveries("CUSTOMER_DELETED_with_privateMetadata")
    assert customer_ref(deleted.payload) is None
    assert event_meta(deleted.payload).error_paths == ("event.user.privateMetadata",)
    (confirmed,) = variant_deliveries("ACCOUNT_CONFIRMED_with_token")
    assert customer_ref(confirmed.payload).email == "bob.friend@example.com"
    assert event_meta(confirmed.payload).error_paths == ("event.token",)


def test_gift_card_events():
    sent = gift_card_event(captured_delivery("GIFT_CARD_SENT", 1).payload)
    assert sent.kind == "sent" and sent.sent_to_email == "alice.referrer@example.com"
    assert sent.channel == "default-channel" and sent.tags == ("referral-reward",)
    assert sent.current_balance == usd("10.00") and sent.created_by_email is None
    assert sent.last4 == "A2DC" and not hasattr(sent, "code")
    updated = gift_card_event(captured_delivery("GIFT_CARD_UPDATED", 1).payload)
    assert updated.current_balance == usd("12.50") == updated.initial_balance
    staff_card = gift_card_event(captured_delivery("GIFT_CARD_CREATED", 1).payload)
    assert staff_card.created_by_email == "admin@example.com"
    assert staff_card.current_balance == usd("5.00")


def test_voucher_events():
    created = voucher_event(captured_delivery("VOUCHER_CREATED", 1).payload)
    assert created.kind == "created" and created.code == "REF-WELCOME-10"
    assert created.channel_values == () and created.discount_value_type == "PERCENTAGE"
    updated = voucher_event(captured_delivery("VOUCHER_UPDATED", 1).payload)
    (listing,) = updated.channel_values
    assert (listing.channel, listing.currency, listing.discount_value) == (
        "default-channel", "USD", Decimal("10.0")
    )
    codes = voucher_event(captured_delivery("VOUCHER_CODES_CREATED", 1).payload)
    assert codes.kind == "codes_created" and codes.voucher_id is None
    assert [c.code for c in codes.codes] == ["REF-WELCOME-10"] and codes.codes[0].is_active


def test_api_results_map_like_the_deliveries():
    """order_get/checkout_get ask for a subset of the subscriptions, enough for the mappers."""
    client = FakeSaleor().client()
    newest_21 = sorted(
        (d for d in captured_deliveries() if d.payload.get("order", {}).get("number") == "21"),
        key=lambda d: d.received_at,
    )
    from_webhook = newest_21[-1].payload
    from_api = client.execute("order_get", {"id": from_webhook["order"]["id"]})
    assert order_facts(from_api) == order_facts(from_webhook)
    assert order_ref(from_api) == order_ref(from_webhook)
    paid = captured_delivery("CHECKOUT_FULLY_PAID", 1).payload
    checkout = client.execute("checkout_get", {"id": paid["checkout"]["id"]})
    assert checkout_facts(checkout) == checkout_facts(paid)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ([{"key": "referral_code", "value": "ALICE-REF"}], "ALICE-REF"),
        ([{"key": "signup_referral_code", "value": "  BOB-1 "}], "BOB-1"),
        (
            [
                {"key": "signup_referral_code", "value": "SECOND"},
                {"key": "referral_code", "value": "FIRST"},
            ],
            "FIRST",
        ),
        ({"referral_code": ""}, None),
        ([{"key": "referral_code", "value": "x" * 65}], None),
        ([{"key": "referral_code", "value": "BAD\nCODE"}], None),
        ([{"key": "other", "value": "X"}], None),
        (None, None),
    ],
)
def test_referral_code_from_metadata(metadata, expected):
    assert referral_code_from_metadata(metadata) == expected


def test_broken_payloads_raise_payload_error():
    good = captured_delivery("ORDER_CREATED", 1).payload
    with pytest.raises(PayloadError):
        order_facts({"__typename": "OrderCreated", "order": None})
    broken_total = {**good["order"], "total": {"gross": {"amount": "abc", "currency": "USD"}}}
    with pytest.raises(PayloadError):
        order_facts(broken_total)
    no_currency = {**good["order"], "channel": {"slug": "x"}, "total": {"gross": {"amount": 1}}}
    with pytest.raises(PayloadError):
        order_facts(no_currency)
    with pytest.raises(PayloadError):
        order_facts({**good["order"], "created": "yesterday"})
    with pytest.raises(PayloadError):
        checkout_facts([])
    with pytest.raises(PayloadError):
        gift_card_event({"__typename": "GiftCardCreated", "giftCard": None})


@pytest.mark.parametrize(("where", "amount", "message"), [
    (("total", "gross"), float("nan"), "order.total: 'nan' is not a number"),
    (("total", "gross"), -1.5, "order.total: -1.5 USD is negative"),
    (("subtotal", "gross"), 1e15, "order.subtotal: 1000000000000000.0 is too large"),
    (("shippingPrice", "gross"), 3.141, "order.shipping: 3.141 USD has more decimals than USD"),
])
def test_order_money_goes_through_the_rules_one_door(where, amount, message):
    # Order #21 as Saleor sent it, with one figure garbled: the error names the fact.
    payload = copy.deepcopy(captured_delivery("ORDER_CREATED", 1).payload)
    payload["order"][where[0]][where[1]]["amount"] = amount
    with pytest.raises(PayloadError) as raised:
        order_facts(payload)
    assert str(raised.value).startswith(message)
