"""Two programs on the same history in Chromium: the draft beside the live version (cost, orders
rewarded, referred revenue, customers acquired, cost per customer, per rule, the difference and
the charts), then beside another draft pasted in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_FRIEND = """program "Every friend" currency USD

rule "friend" on order paid when referred and order_total >= 20 USD:
    give referrer 10 USD
"""
BIG_ONLY = """program "Big orders" currency USD

rule "big order" on order paid when referred and order_total > 200 USD:
    give referrer 30 USD
"""
POINTS = """program "Points" currency USD

rule "friend" on order paid when referred:
    give referrer 100 points
"""


def _history(shop) -> None:
    """Ann's three friends' first orders (300, 80, 25 USD), one of them back for 500 USD, and
    an order nobody referred."""
    code = ReferralCode.objects.create(installation=shop, code="ANN", owner_email="ann@x.com")
    now = timezone.now()
    referrals = {}
    for index, (email, total) in enumerate([("bo@x.com", "300.00"), ("cy@x.com", "80.00"),
                                            ("di@x.com", "25.00"), ("cy@x.com", "500.00"),
                                            ("ed@x.com", "900.00")]):
        if email != "ed@x.com" and email not in referrals:
            referrals[email] = Referral.objects.create(
                installation=shop, code=code, referrer_email="ann@x.com", referee_email=email,
                source=Referral.Source.VOUCHER, order_id=f"O-{index}",
                status=Referral.Status.CONVERTED, created=now - timedelta(days=40))
        CustomerOrder.objects.create(
            installation=shop, order_id=f"O-{index}", email=email, total=Decimal(total),
            currency="USD", status=CustomerOrder.Status.PAID, referral=referrals.get(email),
            paid_at=now - timedelta(days=20 - index))
    program = program_get_or_create(installation=shop)
    program_save_draft(program=program, actor=SystemActor(), source=EVERY_FRIEND)
    program_publish(program=program, actor=SystemActor())
    program_save_draft(program=program, actor=SystemActor(), source=BIG_ONLY)


def test_the_draft_beside_the_live_version_then_beside_another_draft(open_dashboard, shop, shot):
    _history(shop)
    page, app = open_dashboard(width=1280)
    open_section(app, "Backtest")
    expect(app.locator("#backtest-compare option[value='v1']")).to_have_count(1)
    app.locator("#run-backtest").click()

    expect(app.locator("#backtest-result")).to_be_visible(timeout=20_000)
    expect(app.locator("#draft-cost")).to_have_text("60.00 USD")
    expect(app.locator("#compared-cost")).to_have_text("40.00 USD")
    expect(app.locator("#cost-difference")).to_have_text("+20.00 USD")
    figures = app.locator("#backtest-figures")
    expect(figures.locator("thead")).to_contain_text("live version 1")
    row = figures.locator("tr", has_text="Cost per acquired customer")
    expect(row.locator("td")).to_have_text(["60.00 USD", "13.33 USD", "+46.67 USD"])
    row = figures.locator("tr", has_text="Referred revenue rewarded")
    expect(row.locator("td")).to_have_text(["800.00 USD", "905.00 USD", "-105.00 USD"])
    rules = app.locator("#backtest-rules tbody tr")
    expect(rules).to_have_count(2)
    expect(rules.filter(has_text="friend").locator("td")).to_have_text(
        ["friend", "0", "0.00", "4", "40.00", "-40.00"])
    expect(app.locator("svg.chart")).to_have_count(2)
    expect(app.locator("svg.chart rect.bar.live").first).to_be_visible()
    shot(page, "50-backtest-compare-live")

    app.locator("#backtest-compare").select_option("source")
    app.locator("#backtest-other-draft").fill(POINTS)
    app.locator("#run-backtest").click()
    expect(app.locator("#backtest-figures thead")).to_contain_text("other draft", timeout=20_000)
    row = app.locator("#backtest-figures tr", has_text="Points given")
    expect(row.locator("td")).to_have_text(["0", "400", "-400"])
    shot(page, "51-backtest-compare-other-draft")
    assert page.errors == []
