"""The Partners section in Chromium: a merchant adds a blogger (who gets a code, a link and a
QR), an order carrying that code earns the ready program's commission, and December's payout
statement shows it and is marked paid once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from plugin.affiliates.models import Partner, Payout
from plugin.programs.models import AuditLog
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.models import Reward
from plugin.saleor.captures import captured_delivery
from plugin.use_cases.affiliate_commission import order_commission_process
from plugin.use_cases.rewards import RewardDeps, order_event_process
from rules.facts.money import Money
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOLD_OVER = datetime(2026, 12, 23, tzinfo=UTC)  # 30 days after order #21 was fulfilled


def _order_with(shop, code: str) -> None:
    """Captured order #21 placed, paid and fulfilled with the partner's code in its metadata."""
    for event in ("ORDER_CREATED", "ORDER_FULLY_PAID", "ORDER_FULFILLED"):
        delivery = captured_delivery(event, 1)
        payload = json.loads(delivery.body)
        payload["order"]["metadata"] = [{"key": "referral_code", "value": code}]
        at = datetime.fromisoformat(delivery.received_at)
        order_event_process(installation=shop, event=event, payload=payload,
                            deps=RewardDeps(clock=lambda at=at: at))
        order_commission_process(installation=shop, event=event, payload=payload,
                                 clock=lambda at=at: at)


def test_a_partner_is_added_earns_and_is_paid_for_december(open_dashboard, shop, shot,
                                                          time_machine):
    time_machine.move_to(datetime(2027, 1, 5, 9, tzinfo=UTC), tick=True)  # December is over
    page, app = open_dashboard(width=1024)
    open_section(app, "Partners")
    expect(app.locator("#partners-box")).to_contain_text("No partners yet")

    app.locator("#partner-name").fill("Nora Blogs")
    app.locator("#partner-email").fill("nora@blog.example")
    app.get_by_role("button", name="Add partner").click()
    expect(app.locator("#partners-status")).to_contain_text("added with code NORA-")
    partner = Partner.objects.get(installation=shop)
    code = partner.codes.get().code
    expect(app.locator("#partner-codes")).to_contain_text(code)
    qr = app.locator("#partner-codes img")
    expect(qr).to_have_attribute("alt", f"QR code of {code}")
    assert qr.evaluate("(img) => img.decode().then(() => img.naturalWidth)") > 0  # a real image
    expect(app.locator("#partner-program")).to_have_value(partner.program_source)

    _order_with(shop, code)
    rewards_release(now=HOLD_OVER)
    commission = Money.of(Reward.objects.get(recipient_role="affiliate").amount, "USD").amount

    app.locator("#statement-month").fill("2026-12")
    app.get_by_role("button", name="Show statement").click()
    net = app.locator('[data-figure="Net"] strong')
    expect(net).to_have_text(f"{commission} USD")
    expect(app.locator("#statement-lines")).to_contain_text("#21")
    expect(app.locator("#statement-lines")).to_contain_text("unpaid")
    shot(page, "45-partner-statement")

    app.locator("#payout-reference").fill("SEPA 2027-001")
    app.get_by_role("button", name="Mark paid…").click()
    app.get_by_role("button", name="Confirm").click()
    expect(app.locator("#payout-done")).to_contain_text(f"Paid {commission} USD")
    expect(app.locator("#statement-lines")).to_contain_text("paid")
    expect(app.locator("#payout-mark-paid")).to_be_disabled()
    shot(page, "46-partner-paid")

    payout = Payout.objects.get(partner=partner)
    assert (payout.net, payout.reference) == (commission, "SEPA 2027-001")
    assert AuditLog.objects.filter(action="payout_marked_paid").count() == 1
    assert page.errors == []
