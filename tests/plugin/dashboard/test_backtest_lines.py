"""Stored orders keep their lines (from webhooks and history import), so a backtest over stored
orders runs line-based rules on the goods that were really bought."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from plugin.dashboard.backtest_sources import stored_orders
from plugin.dashboard.language import compiled_or_diagnostics
from plugin.referrals.models import CustomerOrder
from plugin.referrals.services import customer_order_record
from plugin.saleor.captures import captured_delivery
from rules.facts.money import Money

pytestmark = pytest.mark.django_db

TEES = """program "Tees" currency USD

rule "tee lovers" on order paid when any(lines where "featured-products" in line.collections):
    give customer 2 USD * sum(line.quantity for line in lines where line.category == "t-shirts")
"""


def _record_paid_order_21(installation) -> CustomerOrder:
    payload = captured_delivery("ORDER_FULLY_PAID", 1).payload
    return customer_order_record(installation=installation, order_payload=payload, status="paid")


def test_an_order_recorded_from_a_webhook_keeps_its_lines(shop):
    row = _record_paid_order_21(shop)
    assert row.lines == [
        {"product": "ascii-tee", "sku": "328223580", "name": "Monospace Tee",
         "variant_id": "UHJvZHVjdFZhcmlhbnQ6MzQ4", "category": "t-shirts",
         "collections": ["featured-products"], "quantity": 3, "unit_price": "18.00",
         "total": "54.00"},
        {"product": "apple-juice", "sku": None, "name": "Apple Juice",
         "variant_id": "UHJvZHVjdFZhcmlhbnQ6Mzg0", "category": "juices", "collections": [],
         "quantity": 1, "unit_price": "1.79", "total": "1.79"},
    ]
    assert (row.subtotal, row.shipping, row.total) == (
        Decimal("55.79"), Decimal("34.20"), Decimal("84.99"))


def test_a_later_payload_without_lines_keeps_the_stored_ones(shop):
    _record_paid_order_21(shop)
    bare = copy.deepcopy(captured_delivery("ORDER_FULLY_PAID", 1).payload)
    bare["order"]["lines"] = []
    row = customer_order_record(installation=shop, order_payload=bare, status="fulfilled")
    assert [line["product"] for line in row.lines] == ["ascii-tee", "apple-juice"]


def test_backtest_over_stored_orders_sees_the_lines(shop):
    _record_paid_order_21(shop)
    [(total, facts)] = list(stored_orders(installation=shop, count=10, assume_referred=False))
    assert total == 1
    order = facts.order
    assert [(line.product, line.category, line.quantity) for line in order.lines] == [
        ("ascii-tee", "t-shirts", 3), ("apple-juice", "juices", 1)]
    assert order.subtotal == Money.of(Decimal("55.79"), "USD")
    assert order.shipping == Money.of(Decimal("34.20"), "USD")
    program, diagnostics = compiled_or_diagnostics(TEES)
    assert program is not None, diagnostics
    decision = program.evaluate(facts)
    assert [reward.amount for reward in decision.rewards] == [Money.of(Decimal(6), "USD")]


def test_history_import_stores_the_lines_of_orders_from_the_api(shop, fake_saleor):
    from plugin.use_cases.history_import import history_import_run

    history_import_run(installation=shop, client=fake_saleor.client(), kind="orders")
    stored = {row.number: row for row in CustomerOrder.objects.filter(installation=shop)}
    assert [line["product"] for line in stored["21"].lines] == ["ascii-tee", "apple-juice"]
    assert stored["23"].lines and stored["23"].subtotal is not None
