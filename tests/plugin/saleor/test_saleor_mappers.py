"""Payload → facts mappers, run over every captured delivery and checked against real values."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from plugin.saleor.captures import captured_deliveries, captured_delivery
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.ids import decode_global_id
from plugin.saleor.mappers import PayloadError, checkout_facts, order_facts
from rules.facts.money import Money

ALL = list(captured_deliveries(variants=True))


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def _ids(deliveries):
    return [f"{d.variant or d.event}-{d.number}" for d in deliveries]


@pytest.mark.parametrize("delivery", ALL, ids=_ids(ALL))
def test_every_order_and_checkout_delivery_maps_to_facts(delivery):
    payload = delivery.payload
    if "order" in payload:
        facts = order_facts(payload)
        assert decode_global_id(facts.id)[0] == "Order"
        assert facts.currency == "USD" and facts.channel == "default-channel"
        assert facts.total == usd(str(payload["order"]["total"]["gross"]["amount"]))
        assert sum((line.total_price for line in facts.lines), usd("0")) == facts.subtotal
        assert facts.subtotal + facts.shipping >= facts.total  # gift cards only lower it
    if "checkout" in payload:
        facts = checkout_facts(payload)
        assert decode_global_id(facts.id)[0] == "Checkout"
        assert facts.number is None and facts.refunded is None
        assert sum((line.total_price for line in facts.lines), usd("0")) == facts.subtotal


def test_order_21_as_created():
    payload = captured_delivery("ORDER_CREATED", 1).payload
    facts = order_facts(payload)
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


def test_order_21_refunds_add_up():
    partial = order_facts(captured_delivery("ORDER_REFUNDED", 1).payload)
    full = order_facts(captured_delivery("ORDER_FULLY_REFUNDED", 1).payload)
    assert partial.refunded == usd("21.25") and full.refunded == usd("84.99") == full.total
    assert full.is_paid is False
    assert order_facts(captured_delivery("ORDER_FULLY_REFUNDED", 1).payload).refunded == usd(
        "84.99"
    )


def test_checkout_before_the_order_links_to_it():
    payload = captured_delivery("CHECKOUT_FULLY_PAID", 1).payload
    facts = checkout_facts(payload)
    assert facts.total == usd("84.99") and facts.subtotal == usd("55.79")
    assert facts.voucher_code == "REF-WELCOME-10" and facts.is_paid is True
    assert captured_delivery("ORDER_CREATED", 1).payload["order"]["checkoutId"] == facts.id


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
    paid = captured_delivery("CHECKOUT_FULLY_PAID", 1).payload
    checkout = client.execute("checkout_get", {"id": paid["checkout"]["id"]})
    assert checkout_facts(checkout) == checkout_facts(paid)


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
