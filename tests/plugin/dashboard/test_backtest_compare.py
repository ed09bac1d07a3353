"""Two programs on the same history: the draft against an earlier version, another draft, or
nothing, in one pass over the orders; figures side by side with their difference, per rule;
what the draft is compared with is fixed when the backtest is asked for, and audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.dashboard import backtest_sources
from plugin.dashboard.backtest import backtest_run
from plugin.programs.models import AuditLog
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode

pytestmark = pytest.mark.django_db

BIG_ONLY = """program "Big orders" currency USD

rule "big order" on order paid when referred and order_total > 200 USD:
    give referrer 30 USD
"""
EVERY_FRIEND = """program "Every friend" currency USD

rule "friend" on order paid when referred and order_total >= 20 USD:
    give referrer 10 USD
"""
POINTS = """program "Points" currency USD

rule "friend" on order paid when referred:
    give referrer 100 points
"""


@pytest.fixture
def friends(shop):
    """Ann referred three friends (first orders of 300, 80 and 25 USD; the 80 USD friend came
    back for 500 USD); one order nobody referred (900 USD)."""
    code = ReferralCode.objects.create(installation=shop, code="ANN", owner_email="ann@x.com")
    now = timezone.now()
    orders = [("bo@x.com", "300.00", True), ("cy@x.com", "80.00", True),
              ("di@x.com", "25.00", True), ("cy@x.com", "500.00", True),
              ("ed@x.com", "900.00", False)]
    for index, (email, total, referred) in enumerate(orders):
        referral = None
        if referred:
            referral = Referral.objects.filter(installation=shop, referee_email=email).first() or (
                Referral.objects.create(
                    installation=shop, code=code, referrer_email="ann@x.com",
                    referee_email=email, source=Referral.Source.VOUCHER,
                    order_id=f"O-{index}", status=Referral.Status.CONVERTED,
                    created=now - timedelta(days=40)))
        CustomerOrder.objects.create(
            installation=shop, order_id=f"O-{index}", email=email, channel="default",
            total=Decimal(total), currency="USD", status=CustomerOrder.Status.PAID,
            paid_at=now - timedelta(days=20 - index), referral=referral)


def _run(dash, django_capture_on_commit_callbacks, **body) -> dict:
    with django_capture_on_commit_callbacks(execute=False):
        response = dash.post("backtests", body)
    assert response.status_code == 202, response.content
    backtest_run(job_id=response.json()["id"])
    job = dash.get(f"backtests/{response.json()['id']}").json()
    assert job["status"] == "done", job["error"]
    return job


def _amount(money: dict | None) -> str | None:
    return money["amount"] if money else None


def test_the_draft_against_an_earlier_version_side_by_side(
        dash, friends, django_capture_on_commit_callbacks, monkeypatch):
    for source in (EVERY_FRIEND, POINTS):  # version 1, then version 2 goes live
        assert dash.post("program/publish", {"source": source}).status_code == 201
    passes = []
    stream = backtest_sources.stored_orders
    monkeypatch.setattr(backtest_sources, "stored_orders",
                        lambda **kw: passes.append(kw) or stream(**kw))

    job = _run(dash, django_capture_on_commit_callbacks, draft=BIG_ONLY, count=100, compare=1)

    assert len(passes) == 1  # both programs on each order as it passes
    result = job["result"]
    draft, other, diff = result["draft"], result["compared"], result["difference"]
    assert (job["compare_label"], other["label"], other["number"]) == (
        "version 1", "version 1", 1)
    # draft: 30 USD for the 300 and the 500 USD orders; one of them a first order (bo)
    assert (_amount(draft["cost"]), draft["rewarded_orders"], draft["acquired"]) == (
        "60.00", 2, 1)
    assert (_amount(draft["referred_revenue"]), _amount(draft["cost_per_acquired"])) == (
        "800.00", "60.00")
    # version 1: 10 USD for each of the four referred orders; three friends' first orders
    assert (_amount(other["cost"]), other["rewarded_orders"], other["acquired"]) == (
        "40.00", 4, 3)
    assert (_amount(other["referred_revenue"]), _amount(other["cost_per_acquired"])) == (
        "905.00", "13.33")
    assert (_amount(diff["cost"]), diff["rewarded_orders"], _amount(diff["referred_revenue"]),
            diff["acquired"], _amount(diff["cost_per_acquired"])) == (
        "20.00", -2, "-105.00", -2, "46.67")
    assert [(r["rule"], r["draft_count"], _amount(r["draft_cost"]), r["compared_count"],
             _amount(r["compared_cost"]), _amount(r["difference_cost"]))
            for r in result["rules"]] == [
        ("big order", 2, "60.00", 0, "0.00", "60.00"),
        ("friend", 0, "0.00", 4, "40.00", "-40.00")]
    audit = AuditLog.objects.filter(action="backtest_started").latest("pk")
    assert audit.details["compared_with"] == "version 1"


def test_the_draft_against_another_draft_and_against_nothing(
        dash, friends, django_capture_on_commit_callbacks):
    job = _run(dash, django_capture_on_commit_callbacks, draft=BIG_ONLY, count=100,
               compare="source", compare_source=POINTS)
    other = job["result"]["compared"]
    assert (other["label"], other["number"], other["points"], _amount(other["cost"])) == (
        "other draft", None, 400, "0.00")
    assert other["cost_per_acquired"]["amount"] == "0.00"
    assert job["result"]["difference"]["points"] == -400

    alone = _run(dash, django_capture_on_commit_callbacks, draft=BIG_ONLY, count=100,
                 compare="none")
    assert alone["result"]["compared"] is None and alone["result"]["difference"] is None
    live_none = _run(dash, django_capture_on_commit_callbacks, draft=BIG_ONLY, count=100)
    assert live_none["result"]["compared"] is None  # nothing published yet


def test_what_is_compared_is_fixed_when_the_backtest_is_asked_for(
        dash, friends, django_capture_on_commit_callbacks):
    assert dash.post("program/publish", {"source": EVERY_FRIEND}).status_code == 201
    with django_capture_on_commit_callbacks(execute=False):
        response = dash.post("backtests", {"draft": BIG_ONLY, "count": 100})
    assert dash.post("program/publish", {"source": POINTS}).status_code == 201  # meanwhile
    backtest_run(job_id=response.json()["id"])
    result = dash.get(f"backtests/{response.json()['id']}").json()["result"]
    assert (result["compared"]["label"], result["compared"]["cost"]["amount"]) == (
        "live version 1", "40.00")


@pytest.mark.parametrize(("body", "message"), [
    ({"compare": 7}, "there is no version 7 to compare with"),
    ({"compare": "source", "compare_source": "on order paid when:\n"}, "the other draft has"),
    ({"compare": "source"}, "the other draft is empty"),
    ({"compare": "yesterday"}, 'compare with "live", "none", "source" or a version number'),
    ({"compare": True}, "field 'compare' must be"),
])
def test_a_comparison_that_cannot_run_is_refused(dash, friends, body, message):
    response = dash.post("backtests", {"draft": BIG_ONLY, **body})
    assert response.status_code in (400, 422)
    assert message in response.json()["error"]
