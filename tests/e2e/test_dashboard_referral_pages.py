"""The referral pages in Chromium: the review queue (reject with a reason, in place, since the
dashboard's iframe allows no dialogs), the rewards ledger and the headline figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.rewards.models import EntryAction, RewardEntry, RewardState
from plugin.rewards.services import reward_create
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_queue_reject_with_reason_then_ledger_and_overview(open_dashboard, shop, shot):
    now = timezone.now()
    code = ReferralCode.objects.create(installation=shop, code="ANN10", owner_email="ann@x.com")
    referral = Referral.objects.create(
        installation=shop, code=code, referrer_email="ann@x.com", referee_email="bo@x.com",
        source=Referral.Source.VOUCHER, order_id="O-1", status=Referral.Status.CONVERTED)
    for order_id, total, ref in [("O-1", "400.00", referral), ("O-2", "100.00", None)]:
        CustomerOrder.objects.create(
            installation=shop, order_id=order_id, email=f"{order_id}@x.com", total=Decimal(total),
            currency="USD", status=CustomerOrder.Status.PAID, paid_at=now, referral=ref)
    reward, _ = reward_create(
        installation=shop, key="O-1/referrer", now=now, action=EntryAction.DECIDED,
        state=RewardState.REVIEW, reason="over the review threshold",
        fields={"order_id": "O-1", "order_number": "21", "referral_id": referral.pk,
                "rule_line": 3, "rule_label": "big order", "recipient_role": "referrer",
                "recipient_email": "ann@x.com", "kind": "money", "delivery": "gift_card",
                "amount": Decimal("40.00"), "currency": "USD"})

    page, app = open_dashboard()
    open_section(app, "Overview")
    expect(app.locator("#overview")).to_contain_text("10.0%")  # 40 of 400 USD
    # One referred customer (400 USD) against one other (100 USD), both new this month.
    customers = app.locator("#overview-customers")

    def card(label):
        return customers.locator(".card").filter(has=app.get_by_text(label, exact=True))

    expect(card("Referred customers").locator("strong")).to_have_text("1")
    expect(card("Referred vs other value").locator("strong")).to_have_text("+300.0%")
    expect(card("Cost per acquired customer").locator("strong")).to_have_text("40.00 USD")
    expect(card("Repeat rate, referred").locator("strong")).to_have_text("0.0%")
    expect(customers.locator(".note").first).to_contain_text("first paid order was referred")
    bars = app.locator("#overview-months svg rect.bar > title")
    expect(bars).to_have_count(6)
    expect(bars.last).to_contain_text("New referred customers: 1")
    assert float(app.locator("#overview-months svg rect.bar").nth(5).get_attribute("height")) > 0
    shot(page, "11-overview")
    app.locator("#overview-months").scroll_into_view_if_needed()
    shot(page, "11-overview-months")

    open_section(app, "Review queue")
    expect(app.locator("#review")).to_contain_text("40.00 USD")
    app.get_by_role("button", name="Reject…").click()
    reason = app.get_by_role("textbox", name="Reason for rejecting")
    reason.fill("the friend is the referrer's second account")
    shot(page, "12-review-reject-reason")
    app.locator("#review").get_by_role("button", name="Reject", exact=True).click()
    expect(app.locator(".empty")).to_contain_text("Nothing to review")
    latest = RewardEntry.objects.filter(reward=reward).order_by("-seq").first()
    assert latest.state == "voided" and latest.actor == "ann@shop-e2e.example.com"

    open_section(app, "Rewards")
    app.locator("#reward-state").select_option("voided")
    expect(app.locator("#rewards")).to_contain_text("ann@x.com")
    open_section(app, "Referrals")
    expect(app.locator("#referrals")).to_contain_text("bo@x.com")
    shot(page, "13-referrals")
