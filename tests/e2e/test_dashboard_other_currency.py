"""In a real Chromium: orders in another currency than the program's. The sandbox says the live
app would skip such an order, and why; the overview counts the orders skipped, by reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from plugin.rewards.skips import order_skip_record
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAM = """program "Thanks" currency USD

on order paid:
    give customer 50 points
"""


def test_the_sandbox_says_an_order_in_another_currency_is_skipped(open_dashboard, shot):
    page, app = open_dashboard()
    app.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(PROGRAM)
    expect(app.locator(".ok-state")).to_contain_text("No problems", timeout=10_000)
    open_section(app, "Sandbox")
    app.locator("#f-currency").fill("PLN")
    app.locator("#run-sandbox").click()
    expect(app.locator("#decision")).to_contain_text(
        "The program skips this order: order in PLN, program in USD")
    expect(app.locator(".sandbox-result .error")).to_have_count(0)
    shot(page, "sandbox-other-currency")
    assert page.errors == []


def test_the_overview_counts_the_skipped_orders_by_reason(shop, open_dashboard, shot):
    at = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    for order_id, number in (("O-1", "1"), ("O-2", "2")):
        order_skip_record(installation=shop, order_id=order_id, number=number, program="program",
                          reason="order in PLN, program in USD", at=at)
    page, app = open_dashboard()
    open_section(app, "Overview")
    expect(app.locator("#overview-skipped")).to_contain_text(
        "2 orders: order in PLN, program in USD")
    shot(page, "overview-skipped-orders")
    assert page.errors == []
