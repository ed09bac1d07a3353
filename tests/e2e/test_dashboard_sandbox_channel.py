"""In a real Chromium: the sandbox form's "earlier orders in this channel" field, next to the
customer's order count, decides an app-launch rule that reads `customer.orders_in_channel`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APP_LAUNCH = """program "App launch" currency USD

on order paid when channel == "mobile-app" and customer.orders_in_channel == 0:
    give customer 200 points
"""


def test_the_channel_order_count_decides_the_app_launch_rule(open_dashboard, shot):
    page, app = open_dashboard()
    app.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(APP_LAUNCH)
    expect(app.locator(".ok-state")).to_contain_text("No problems", timeout=10_000)
    open_section(app, "Sandbox")
    app.locator("#f-channel").fill("mobile-app")
    app.locator("#f-earlier-orders").fill("2")
    in_channel = app.locator("#f-earlier-orders-in-this-channel")
    expect(in_channel).to_have_value("0")
    app.locator("#run-sandbox").click()
    expect(app.locator("#decision")).to_contain_text("200 points")
    shot(page, "sandbox-orders-in-channel")

    in_channel.fill("1")  # a second order in the app
    app.locator("#run-sandbox").click()
    expect(app.locator("#decision")).to_contain_text("Nobody gets anything")
    expect(app.locator("#decision .trace")).to_contain_text("customer.orders_in_channel == 0")
    assert page.errors == []
