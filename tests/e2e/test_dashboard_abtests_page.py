"""The A/B tests section in Chromium: the live test's variants side by side with the verdict,
then the winner promoted in one click (confirmed in place), leaving no test live."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from examples import example_programs
from plugin.programs.actors import SystemActor
from plugin.programs.models import AuditLog
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from rules.evaluate.ab_tests import ab_test_info, ab_test_of
from rules.syntax import parse
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SOURCE = next(p for p in example_programs() if p.name == "ab_test_welcome_offer.rules").read_text()


def _live_test(shop) -> dict[str, str]:
    """The gallery's welcome offer test live; twelve referrers, the first four with a friend
    who bought. Returns the variant by referrer."""
    program = program_get_or_create(installation=shop)
    program_save_draft(program=program, actor=SystemActor(), source=SOURCE)
    program_publish(program=program, actor=SystemActor())
    test = ab_test_info(ab_test_of(parse(SOURCE)[0]))
    variants = {}
    for n in range(12):
        email = f"r{n}@x.com"
        code = ReferralCode.objects.create(installation=shop, code=f"AB-{n}", owner_email=email)
        variants[email] = test.variant_of(customer_id=None, email=email)
        if n < 4:
            referral = Referral.objects.create(
                installation=shop, code=code, referrer_email=email, referee_email=f"f{n}@x.com",
                source=Referral.Source.VOUCHER, status=Referral.Status.CONVERTED,
                ab_test=test.name, ab_variant=variants[email])
            CustomerOrder.objects.create(
                installation=shop, order_id=f"O-{n}", email=f"f{n}@x.com", currency="USD",
                total=Decimal(60 + 10 * n), status="paid", referral=referral,
                paid_at=timezone.now())
    return variants


def test_variants_side_by_side_then_the_winner_promoted(open_dashboard, shop, shot):
    variants = _live_test(shop)
    page, app = open_dashboard(width=1360)
    open_section(app, "A/B tests")

    expect(app.locator("#abtest-name")).to_have_text("Welcome offer")
    table = app.locator("#abtest-variants")
    for name in ("ten percent", "fifteen dollars"):
        row = table.locator(f"tr[data-variant='{name}'] td")
        expect(row.nth(2)).to_have_text(str(list(variants.values()).count(name)))
    expect(app.locator("[data-verdict='fifteen dollars']")).to_contain_text("not enough data yet")
    shot(page, "60-abtests-variants")

    winner = table.locator("tr[data-variant='fifteen dollars']")
    winner.get_by_role("button", name="Promote").click()
    app.get_by_role("group", name='Give everyone "fifteen dollars"?').get_by_role(
        "button", name="Confirm").click()
    expect(app.locator("#section .empty")).to_contain_text("No A/B test is live")
    shot(page, "61-abtests-promoted")
    assert AuditLog.objects.filter(installation=shop, action="ab_test_promoted").count() == 1
    assert "ab test" not in shop.programs.get().current_version.source
    assert page.errors == []
