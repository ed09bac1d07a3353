"""In a real Chromium: the Program area shows the per-reward ceiling (the currency's default, or
the program's own `ceiling` line), and the sandbox cuts a reward by the referrer's monthly limit
and by the month's budget, saying which and why."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMITED = """program "Limited" currency EUR
limit referrer 5 rewards per month
budget 1000 EUR per month

on order paid when referred and order_total >= 100 EUR:
    give referrer 50 EUR
"""


def _write(page, app, source: str) -> None:
    open_section(app, "Problems")
    app.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    expect(app.locator(".ok-state")).to_contain_text("No problems", timeout=10_000)


def test_the_program_area_shows_the_reward_ceiling(open_dashboard, shot):
    page, app = open_dashboard()
    _write(page, app, LIMITED)
    open_section(app, "Publish")
    ceiling = app.locator("#reward-ceiling")
    expect(ceiling).to_contain_text("Ceiling per reward: 1000.00 EUR")
    expect(ceiling).to_contain_text("the default for EUR")
    shot(page, "ceiling-default")

    _write(page, app, LIMITED.replace("budget 1000", "ceiling 40 EUR\nbudget 1000"))
    open_section(app, "Publish")
    expect(ceiling).to_contain_text("Ceiling per reward: 40.00 EUR")
    expect(ceiling).to_contain_text("set by the program's `ceiling` line")
    assert page.errors == []


def test_the_sandbox_cuts_by_the_limit_and_the_budget(open_dashboard, shot):
    page, app = open_dashboard()
    _write(page, app, LIMITED)
    open_section(app, "Sandbox")
    app.locator("#f-currency").fill("EUR")
    app.locator("#f-order-total").fill("120.00")
    app.locator("#f-referred").check()
    app.locator("#f-referrer-rewards-this-month").fill("4")
    app.locator("#run-sandbox").click()
    expect(app.locator("#decision")).to_contain_text("50.00 EUR as gift card")
    expect(app.locator("#withheld")).to_have_count(0)

    app.locator("#f-referrer-rewards-this-month").fill("5")
    app.locator("#run-sandbox").click()
    withheld = app.locator("#withheld")
    expect(withheld).to_contain_text("cut")
    expect(withheld).to_contain_text("limit referrer 5 rewards per month (line 2): 5 this month")
    expect(app.locator("#decision .trace")).to_contain_text("cut")
    shot(page, "sandbox-limit-cut")

    app.locator("#f-referrer-rewards-this-month").fill("0")
    app.locator("#f-program-spent-this-month").fill("960.00")
    app.locator("#run-sandbox").click()
    expect(withheld).to_contain_text(
        "budget 1000.00 EUR per month (line 3): 960.00 EUR spent this month")
    assert page.errors == []
