"""The merchant's flow in a real Chromium, inside a stand-in of Saleor's dashboard: type a broken
rule and see the error at its line, fix it and see the sandbox decision, publish, roll back,
backtest with a chart; and be refused without a valid token."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.programs.models import AuditLog, ProgramVersion
from plugin.referrals.models import CustomerOrder
from plugin.saleor.testing import TestSigner
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """program "Spring referrals" currency USD

on order paid when referred:
    give referrer 50 USD + 5%
"""

FIXED = """program "Spring referrals" currency USD

on order paid when referred:
    if order_total > 500 USD give referrer 50 USD else 5%
    hold 30 days after payment

example "a big order":
    order_total = 600 USD, referred
    expect referrer gets 50 USD
"""


def replace_source(page, frame, text: str) -> None:
    frame.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_write_check_try_publish_roll_back_and_backtest(at_capture_time, open_dashboard, shop,
                                                        shot):
    page, app = open_dashboard()
    expect(app.locator(".cm-content")).to_be_visible()
    expect(app.locator("#who")).to_have_text("ann@shop-e2e.example.com")
    expect(app.locator(".cm-content")).to_contain_text('program "Referral program"')
    shot(page, "1-editor-starter")

    # A broken rule: the checker's error appears inline on line 4, and in the problems list.
    replace_source(page, app, BROKEN)
    error_mark = app.locator(".cm-line").nth(3).locator(".cm-lintRange-error")
    expect(error_mark).to_have_count(1, timeout=10_000)
    expect(error_mark).to_have_text("50 USD + 5%")
    expect(app.locator(".problems")).to_contain_text("4:19")
    expect(app.locator(".problems")).to_contain_text("cannot add Percent to Money")
    shot(page, "2-editor-error")

    # Fixed: no error left; the sandbox runs the draft on the form's facts.
    replace_source(page, app, FIXED)
    expect(app.locator(".cm-lintRange-error")).to_have_count(0, timeout=10_000)
    expect(app.locator(".ok-state")).to_contain_text("No problems", timeout=10_000)

    # Hover tells the type (and value) of the expression under the pointer, innermost first.
    rule_line = app.locator(".cm-line").nth(3)
    rule_line.get_by_text("order_total").hover()
    expect(app.locator(".cm-type-tooltip")).to_contain_text("order_total: Money (USD)")
    rule_line.get_by_text("500", exact=True).hover()
    expect(app.locator(".cm-type-tooltip")).to_have_text("500 USD: Money (USD)")
    rule_line.get_by_text(">", exact=True).hover()
    expect(app.locator(".cm-type-tooltip")).to_have_text("order_total > 500 USD: Bool")
    shot(page, "2b-editor-hover-type")
    open_section(app, "Sandbox")
    app.locator("#f-order-total").fill("600.00")
    app.locator("#run-sandbox").click()
    decision = app.locator("#decision")
    expect(decision).to_contain_text("50.00 USD as gift card")
    expect(decision).to_contain_text("held")
    expect(decision.locator(".trace")).to_contain_text("order_total > 500 USD")
    shot(page, "3-sandbox-decision")

    # A real recent order of the shop (fetched from its Saleor) fills the form.
    app.locator("#recent-orders").select_option(index=1)
    expect(app.locator("#f-order-total")).not_to_have_value("600.00")
    expect(app.locator("#decision")).to_be_visible()

    open_section(app, "Examples")
    app.locator("#run-examples").click()
    expect(app.locator(".examples-list")).to_contain_text("1 of 1 examples pass")

    # Publish: static figures first, then version 1 goes live; the dashboard gets a toast.
    open_section(app, "Publish")
    expect(app.locator("#static-report")).to_contain_text("on order paid")
    app.locator("#publish").click()
    expect(app.locator("#publish-result")).to_contain_text("version 1 is live")
    expect(page.locator(".harness-toast")).to_contain_text("Program published")
    shot(page, "4-published")

    replace_source(page, app, FIXED.replace("give referrer 50 USD", "give referrer 60 USD")
                   .replace("expect referrer gets 50 USD", "expect referrer gets 60 USD"))
    expect(app.locator(".cm-lintRange-error")).to_have_count(0, timeout=10_000)
    app.locator("#publish").click()
    expect(app.locator("#publish-result")).to_contain_text("version 2 is live")

    # Versions: roll back to 1 and see the diff between them.
    open_section(app, "Versions")
    expect(app.locator("#versions tr[data-version='2']")).to_contain_text("live")
    app.get_by_role("button", name="Roll back to v1").click()
    confirm = app.get_by_role("group", name="Make v1 live again?")
    confirm.get_by_role("button", name="Confirm").click()
    expect(app.locator("#versions tr[data-version='1']")).to_contain_text("live")
    expect(app.locator("#diff")).to_contain_text(
        "+    if order_total > 500 USD give referrer 60 USD")
    shot(page, "5-versions-rollback-diff")
    live = shop.programs.get().current_version
    assert live.number == 1
    assert ProgramVersion.objects.filter(program__installation=shop).count() == 2

    # Backtest the draft over the shop's recorded orders; progress, then the chart.
    now = timezone.now()
    for index, total in enumerate(["620.00", "120.00", "80.00", "45.00"]):
        CustomerOrder.objects.create(
            installation=shop, order_id=f"O-{index}", email=f"c{index}@x.com", total=Decimal(total),
            currency="USD", status=CustomerOrder.Status.PAID, paid_at=now - timedelta(days=index))
    open_section(app, "Backtest")
    app.locator("#backtest-assume").check()
    app.locator("#run-backtest").click()
    expect(app.locator("#backtest-result")).to_be_visible(timeout=20_000)
    expect(app.locator("#draft-cost")).to_have_text("72.25 USD")  # 60 + 5% of 245
    expect(app.locator("svg.chart rect.bar.draft")).not_to_have_count(0)
    shot(page, "6-backtest-chart")

    open_section(app, "Audit log")
    expect(app.locator("#audit")).to_contain_text("Rolled back")
    shot(page, "7-audit-log")
    actions = set(AuditLog.objects.filter(installation=shop).values_list("actor_email", flat=True))
    assert actions == {"ann@shop-e2e.example.com"}
    assert page.errors == []


def test_forged_token_is_refused_on_screen(open_dashboard, shot):
    forged = TestSigner().mint_dashboard_token(saleor_api_url="https://shop-e2e.example.com/graphql/",
                                               app_id="QXBwOjk=")
    page, app = open_dashboard(forged)
    refusal = app.locator(".error")
    expect(refusal).to_contain_text("session could not be verified", timeout=10_000)
    expect(refusal).to_contain_text("no key with kid")
    expect(app.locator(".cm-content")).to_have_count(0)
    shot(page, "8-refused-forged-token")


def test_expired_token_is_refused(open_dashboard, signer):
    expired = signer.mint_dashboard_token(
        saleor_api_url="https://shop-e2e.example.com/graphql/", app_id="QXBwOjk=",
        issued_at=int(time.time()) - 900)
    _page, app = open_dashboard(expired)
    expect(app.locator(".error")).to_contain_text("expired", timeout=10_000)


def test_page_uses_the_refreshed_token_and_follows_theme_messages(open_dashboard, shot):
    page, app = open_dashboard()
    expect(app.locator(".cm-content")).to_be_visible()
    page.evaluate("window.harness.setTheme('dark')")
    expect(app.locator("html")).to_have_attribute("data-theme", "dark")
    shot(page, "9-dark-theme")
    # A tokenRefresh replaces the token: a forged one makes the next request fail.
    page.evaluate("token => window.harness.refreshToken(token)",
                  TestSigner().mint_dashboard_token(
                      saleor_api_url="https://shop-e2e.example.com/graphql/", app_id="QXBwOjk="))
    app.locator("#save").click()
    expect(app.locator("#save-status")).to_contain_text("Not saved")


def test_page_opened_outside_a_dashboard_says_so(chromium, live_server, bundle, shop):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/dashboard/?saleorApiUrl=x&id=y")
    expect(page.locator(".boot")).to_contain_text("Open this page from the Saleor dashboard")
    page.close()


def test_narrow_screen_stacks_editor_and_tools(open_dashboard, shot):
    page, app = open_dashboard(width=720, height=1100)
    expect(app.locator(".cm-content")).to_be_visible()
    editor_box = app.locator(".editor").bounding_box()
    side_box = app.locator(".side").bounding_box()
    assert side_box["y"] >= editor_box["y"] + editor_box["height"] - 1
    # Nothing sticks out sideways: long program lines scroll inside the editor.
    assert editor_box["x"] + editor_box["width"] <= 720 and side_box["x"] + side_box["width"] <= 720
    shot(page, "10-narrow")


def test_editor_completes_fact_names_shows_types_and_formats(open_dashboard, shot):
    page, app = open_dashboard()
    expect(app.locator(".cm-content")).to_be_visible()
    # The page announced itself with an actionId, as the App Bridge wants.
    ready = page.evaluate("window.harness.received.filter(m => m.type === 'notifyReady')")
    assert ready and ready[0]["payload"]["actionId"]

    replace_source(page, app, 'program "x" currency USD\n\non order paid when referred:\n'
                              '      give referrer 5 USD\n')
    app.locator(".cm-line").nth(3).click()
    page.keyboard.press("End")
    page.keyboard.type(" max 1 USD\n    if order_t")
    completion = app.locator(".cm-tooltip-autocomplete")
    expect(completion).to_contain_text("order_total")
    expect(completion).to_contain_text("Money")
    shot(page, "14-completion")
    page.keyboard.press("Escape")

    app.locator(".cm-line").nth(2).get_by_text("referred").hover()
    expect(app.locator(".cm-fact-tooltip")).to_contain_text("referred: Bool")

    # Once the program checks, hover shows an expression's type and the value folded from it.
    replace_source(page, app, 'program "x" currency USD\n\non order paid when order_total > '
                              '20 USD:\n    give referrer 10% of 50 USD\n')
    expect(app.locator(".ok-state")).to_contain_text("No problems", timeout=10_000)
    app.locator(".cm-line").nth(3).get_by_text("of", exact=True).hover()
    tooltip = app.locator(".cm-type-tooltip")
    expect(tooltip.locator("code")).to_have_text("10% of 50 USD: Money (USD)")
    expect(tooltip).to_contain_text("= 5 USD")
    page.mouse.move(0, 0)

    replace_source(page, app, 'program "x"   currency USD\non order paid when referred:\n'
                              '  give referrer 5 USD max 5 USD\n')
    app.locator("#format").click()
    expect(app.locator(".cm-content")).to_contain_text("    give referrer 5 USD max 5 USD")
    expect(app.locator("#save-status")).to_have_text("Formatted")
