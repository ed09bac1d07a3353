"""The A/B test endpoints: the live test's results per variant with the verdict against the
control, and promoting the winner in one request: a new version without the test, the draft
left as it is, the promotion in the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from examples import example_programs
from plugin.programs.models import AuditLog, Program
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from rules.evaluate.ab_tests import ab_test_info, ab_test_of
from rules.syntax import parse

pytestmark = pytest.mark.django_db
SOURCE = next(p for p in example_programs() if p.name == "ab_test_welcome_offer.rules").read_text()
DRAFT = 'program "Half-written" currency USD\n\non order paid:\n    give referrer 1 USD\n'


def _publish(dash) -> None:
    assert dash.post("program/publish", {"source": SOURCE}).status_code == 201
    assert dash.post("program/draft", {"source": DRAFT}, method="put").status_code in (200, 201)


def test_results_per_variant(dash, shop):
    _publish(dash)
    test = ab_test_info(ab_test_of(parse(SOURCE)[0]))
    code = ReferralCode.objects.create(installation=shop, code="ANN", owner_email="ann@x.com")
    variant = test.variant_of(customer_id=None, email="ann@x.com")
    referral = Referral.objects.create(
        installation=shop, code=code, referrer_email="ann@x.com", referee_email="bo@x.com",
        source=Referral.Source.VOUCHER, status=Referral.Status.CONVERTED, ab_test=test.name,
        ab_variant=variant)
    CustomerOrder.objects.create(installation=shop, order_id="O-1", email="bo@x.com",
                                 currency="USD", total=Decimal("80.00"), status="paid",
                                 referral=referral, paid_at=timezone.now())

    data = dash.get("abtests").json()

    assert (data["test"], data["number"]) == ("Welcome offer", 1)
    assert [v["name"] for v in data["variants"]] == ["ten percent", "fifteen dollars"]
    ann = next(v for v in data["variants"] if v["name"] == variant)
    assert (ann["referrers"], ann["referrals"], ann["converted"], ann["revenue"]["amount"]) == (
        1, 1, 1, "80.00")
    assert data["variants"][1]["verdict"].startswith("not enough data yet")


def test_promoting_the_winner_publishes_it_and_keeps_the_draft(dash, shop):
    _publish(dash)
    response = dash.post("abtests/promote", {"variant": "fifteen dollars"})
    assert response.status_code == 201, response.content
    assert response.json()["version"]["number"] == 2
    program = Program.objects.get(installation=shop)
    live = program.current_version.source
    assert "ab test" not in live and 'rule "friend\'s welcome: 15 USD"' in live
    assert "10% off" not in live
    assert program.draft_source == DRAFT
    audit = AuditLog.objects.get(installation=shop, action="ab_test_promoted")
    assert audit.details == {"test": "Welcome offer", "variant": "fifteen dollars",
                             "from_number": 1, "number": 2}
    assert dash.get("abtests").json()["test"] is None
    again = dash.post("abtests/promote", {"variant": "fifteen dollars"})
    assert again.status_code == 422 and "runs no A/B test" in again.json()["error"]


def test_promoting_a_variant_the_test_has_not_is_refused(dash, shop):
    _publish(dash)
    response = dash.post("abtests/promote", {"variant": "twenty"})
    assert response.status_code == 422
    assert "no A/B test variant named 'twenty'" in response.json()["error"]
    assert Program.objects.get(installation=shop).current_version.number == 1
