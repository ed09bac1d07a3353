"""The settings and playbook pages in Chromium: settings with errors under their field,
messages with a live preview and placed errors, sleeping customers at a chosen return rate,
contest tables with winners, and rotating a leaked code confirmed in place."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.contests.models import Contest, ContestEntry, ContestWinner
from plugin.playbook.models import MessageCopy, PlaybookSettings, WinBackOffer
from plugin.referrals.models import ReferralCode, ReferralSettings
from plugin.referrals.services import customer_order_record, referral_code_create
from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.services import reward_create
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _seed(shop) -> ReferralCode:
    now = timezone.now()
    for email, days_ago, every, total in [("weekly@x.com", 30, 7, "20.00"),
                                          ("monthly@x.com", 70, 30, "100.00")]:
        for n in range(3):
            when = now - timedelta(days=days_ago + every * (2 - n))
            customer_order_record(installation=shop, status="paid", at=when, order_payload={
                "id": f"T3JkZXI6{email}-{n}", "userEmail": email, "isPaid": True,
                "created": when.isoformat(), "channel": {"slug": "default-channel",
                                                         "currencyCode": "USD"},
                "total": {"gross": {"amount": total, "currency": "USD"}}})
    WinBackOffer.objects.create(installation=shop, email="old@x.com", sleep_since=now,
                                periods_missed=2, usual_interval_days=Decimal(7), status="woke",
                                created=now, expires_at=now + timedelta(days=5))
    contest = Contest.objects.create(
        installation=shop, name="Spring referrals", starts=date(2026, 3, 1),
        ends=date(2026, 3, 31), score="referrals", score_text="paid referrals",
        minimum=Decimal(2), prizes=[{"first": 1, "last": 1, "description": "100 USD gift card"}],
        status=Contest.Status.FINALISED, finalised_at=now, entrant_count=2)
    code = referral_code_create(installation=shop, customer_id="VXNlcjox",
                                email="alice@example.com", name="Alice")
    code.leaderboard_name = "Alice B."
    code.save()
    for email, score in [("alice@example.com", 6), ("bob@example.org", 1)]:
        ContestEntry.objects.create(contest=contest, referrer_email=email, score=Decimal(score),
                                    reached_at=now)
    ContestWinner.objects.create(contest=contest, rank=1, referrer_email="alice@example.com",
                                 score=Decimal(6), prize="100 USD gift card",
                                 note="waiting for a gift card channel")
    voided, _ = reward_create(
        installation=shop, key="contest:spring:rank:2", now=now, action=EntryAction.VOIDED,
        state=RewardState.VOIDED, reason="no sales channel known",
        fields={"recipient_role": "referrer", "recipient_email": "bob@example.org",
                "kind": "voucher", "voucher_type": "free_product", "product": "tote-bag"})
    ContestWinner.objects.create(contest=contest, rank=2, referrer_email="bob@example.org",
                                 score=Decimal(1), prize='free product "tote-bag"', reward=voided,
                                 note="no sales channel known; issue this prize by hand")
    Contest.objects.create(installation=shop, name="Summer sprint", starts=date(2026, 6, 1),
                           ends=date(2026, 6, 30), score="referrals")
    return code


def test_settings_errors_inline_then_saved(open_dashboard, shop, shot):
    page, app = open_dashboard()
    open_section(app, "Settings")
    url = app.get_by_label("Storefront URL")
    url.fill("http://shop.example.com/")
    app.get_by_label("Attribution window (days)").fill("0")
    app.get_by_role("button", name="Save settings").click()
    expect(app.locator("#setting-storefront_url-error")).to_contain_text("https://")
    expect(app.locator("#setting-attribution_days-error")).to_contain_text("between 1 and 365")
    expect(url).to_have_attribute("aria-invalid", "true")
    shot(page, "20-settings-errors")
    assert not ReferralSettings.objects.filter(installation=shop).exists()
    url.fill("https://shop.example.com/")
    app.get_by_label("Attribution window (days)").fill("14")
    app.get_by_role("button", name="Save settings").click()
    expect(app.locator("#settings-status")).to_contain_text("Saved (2 changed)")
    expect(app.locator("#setting-storefront_url-error")).to_be_empty()
    stored = ReferralSettings.objects.get(installation=shop)
    assert (stored.storefront_url, stored.attribution_days) == ("https://shop.example.com/", 14)
    assert page.errors == []


def test_messages_preview_error_position_save_and_reset(open_dashboard, shop, shot):
    page, app = open_dashboard()
    open_section(app, "Messages")
    expect(app.locator("#preview-text")).to_contain_text("Thank you for your order!")
    body = app.get_by_label("Body")
    body.fill("Hello $name,\nyour link: $lnk\n\nStop: $unsubscribe_url")
    problem = app.locator("#message-problem")
    expect(problem).to_contain_text("body 2:12")
    expect(problem).to_contain_text("unknown placeholder `$lnk`")
    shot(page, "21-messages-error")
    problem.get_by_role("button", name="body 2:12").click()
    expect(body).to_be_focused()
    body.fill("Hello $name,\nyour link: $link\n\nStop: $unsubscribe_url")
    expect(app.locator("#preview-text")).to_contain_text("your link: http")
    expect(problem).to_be_empty()
    app.get_by_role("button", name="Save").click()
    expect(app.locator("#message-state")).to_have_text("customised")
    copy = MessageCopy.objects.get(installation=shop, template="referral_invite")
    assert copy.body.startswith("Hello $name,\nyour link: $link")
    shot(page, "22-messages-saved")
    app.get_by_role("button", name="Reset to default").click()
    expect(app.locator("#message-state")).to_have_text("shipped wording")
    expect(app.locator("#preview-text")).to_contain_text("Thank you for your order!")
    assert not MessageCopy.objects.filter(installation=shop).exists()
    assert page.errors == []


def test_sleeping_contests_and_code_rotation(open_dashboard, shop, shot):
    code = _seed(shop)
    page, app = open_dashboard()
    open_section(app, "Sleeping customers")
    cards = app.locator("#sleeping-cards")
    expect(cards).to_contain_text("36.00 USD")  # (20 + 100) x 30 %
    expect(app.locator("#sleeping")).to_contain_text("weekly@x.com")
    rate = app.get_by_label("Expected return rate in percent")
    rate.fill("200")
    rate.press("Enter")
    rate.blur()
    expect(app.locator("#return-rate-error")).to_contain_text("between 0 and 100")
    rate.fill("50")
    rate.blur()
    expect(cards).to_contain_text("60.00 USD")
    app.get_by_role("button", name="Save as default").click()
    expect(app.get_by_role("status").filter(has_text="Saved: 50%")).to_be_visible()
    assert PlaybookSettings.objects.get(installation=shop).expected_return_rate == Decimal("0.5")
    shot(page, "23-sleeping")

    open_section(app, "Contests")
    spring = app.locator("[data-contest]").filter(has_text="Spring referrals")
    expect(spring.locator(".standings")).to_contain_text("Alice B.")
    expect(spring.locator(".standings")).to_contain_text("b***@example.org")
    expect(spring.locator(".winners")).to_contain_text("waiting for a gift card channel")
    voided_row = spring.locator(".winners tr").filter(has_text='free product "tote-bag"')
    expect(voided_row).to_contain_text("voided")
    expect(voided_row).to_contain_text("issue this prize by hand")
    expect(app.locator("[data-contest]").filter(has_text="Summer sprint")).to_contain_text(
        "No entries yet")
    shot(page, "24-contests")

    open_section(app, "Codes")
    app.get_by_label("Code or customer e-mail").fill("alice@example.com")
    app.get_by_role("button", name="Find").click()
    expect(app.locator("#codes")).to_contain_text(code.code)
    app.get_by_role("button", name="Rotate…").click()
    shot(page, "25-codes-confirm")
    app.get_by_role("button", name="Confirm").click()
    expect(app.locator("#code-status")).to_contain_text(f"{code.code} no longer works")
    code.refresh_from_db()
    assert not code.active
    fresh = ReferralCode.objects.get(installation=shop, active=True)
    assert fresh.rotated_from_id == code.pk
    expect(app.locator("#codes")).to_contain_text(f"replaces {code.code}")
    shot(page, "26-codes-rotated")
    assert page.errors == []


def test_new_pages_in_the_dark_theme(open_dashboard, shop, shot):
    _seed(shop)
    page, app = open_dashboard(theme="dark")
    for tab, ready, name in [("Settings", "#settings-form", "settings"),
                             ("Messages", "#preview-subject:not(:empty)", "messages"),
                             ("Sleeping customers", "#sleeping", "sleeping"),
                             ("Contests", ".standings", "contests"),
                             ("Codes", "#code-search", "codes")]:
        open_section(app, tab)
        expect(app.locator(ready).first).to_be_visible()
        shot(page, f"27-dark-{name}")
    assert page.errors == []
