"""Backtests over the shop's stored orders and over Saleor's (captured) orders: projected cost,
counts per rule, the difference to the live version, progress on the job row."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.dashboard.backtest import backtest_run
from plugin.dashboard.models import BacktestJob
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from tests import saleor_answers

pytestmark = pytest.mark.django_db

TIERED = """program "Tiers" currency USD

rule "big order" on order paid when referred and order_total > 500 USD:
    give referrer 50 USD

rule "small order" on order paid when referred and order_total <= 500 USD:
    give referrer 10% of order_total
"""

LIVE = """program "Flat" currency USD

rule "flat" on order paid when referred:
    give referrer 5 USD max 5 USD
"""


@pytest.fixture
def history(shop):
    """Five paid orders (one referred by a real code), one cancelled, one in EUR."""
    code = ReferralCode.objects.create(installation=shop, code="ANN10", owner_email="ann@x.com")
    now = timezone.now()
    referral = Referral.objects.create(
        installation=shop, code=code, referrer_email="ann@x.com", referee_email="bo@x.com",
        source=Referral.Source.VOUCHER, order_id="O-1", status=Referral.Status.CONVERTED,
        created=now - timedelta(days=30))
    rows = [("O-1", "600.00", "USD", referral), ("O-2", "100.00", "USD", None),
            ("O-3", "250.00", "USD", None), ("O-4", "40.00", "USD", None),
            ("O-5", "80.00", "EUR", None)]
    for index, (order_id, total, currency, ref) in enumerate(rows):
        CustomerOrder.objects.create(
            installation=shop, order_id=order_id, email=f"c{index}@x.com", channel="default",
            total=Decimal(total), currency=currency, status=CustomerOrder.Status.PAID,
            paid_at=now - timedelta(days=10 - index), referral=ref)
    CustomerOrder.objects.create(
        installation=shop, order_id="O-X", email="x@x.com", total=Decimal("999"), currency="USD",
        status=CustomerOrder.Status.CANCELLED, paid_at=now - timedelta(days=1))


def start(dash, django_capture_on_commit_callbacks, **body):
    # The job is started after commit on a thread; here it runs in-line to check its result.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = dash.post("backtests", body)
    assert len(callbacks) == (1 if response.status_code == 202 else 0)
    return response


def run_to_end(dash, response):
    job_id = response.json()["id"]
    backtest_run(job_id=job_id)
    return dash.get(f"backtests/{job_id}").json()


def test_backtest_of_recorded_referrals_only(dash, history, django_capture_on_commit_callbacks):
    response = start(dash, django_capture_on_commit_callbacks, draft=TIERED, count=100)
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    job = run_to_end(dash, response)
    assert job["status"] == "done"
    result = job["result"]
    assert (result["orders"], result["skipped"]) == (4, 1)  # the EUR order is left out
    assert result["draft"]["cost"] == {"amount": "50.00", "currency": "USD"}
    assert result["draft"]["rewarded_orders"] == 1
    assert result["compared"] is None and result["difference"] is None
    assert [(r["rule"], r["draft_count"]) for r in result["rules"]] == [("big order", 1)]


def test_backtest_treating_every_order_as_referred_against_the_live_version(
        dash, history, sources, django_capture_on_commit_callbacks):
    assert dash.post("program/publish", {"source": LIVE}).status_code == 201
    response = start(dash, django_capture_on_commit_callbacks, draft=TIERED, count=100,
                     assume_referred=True)
    job = run_to_end(dash, response)
    result = job["result"]
    # draft: 50 (600) + 10 + 25 + 4 = 89; live: 5 on each of the 4 USD orders = 20
    assert result["draft"]["cost"]["amount"] == "89.00"
    usd = "USD"
    # every order a first order of a referred friend: 4 customers acquired for 990 USD of orders
    assert result["compared"] == {
        "label": "live version 1", "number": 1, "cost": {"amount": "20.00", "currency": usd},
        "points": 0, "rewarded_orders": 4,
        "referred_revenue": {"amount": "990.00", "currency": usd}, "acquired": 4,
        "cost_per_acquired": {"amount": "5.00", "currency": usd}}
    assert result["draft"]["cost_per_acquired"]["amount"] == "22.25"
    assert result["difference"]["cost"]["amount"] == "69.00"
    assert result["difference"]["cost_per_acquired"]["amount"] == "17.25"
    assert result["difference"]["referred_revenue"]["amount"] == "0.00"
    by_rule = {r["rule"]: r for r in result["rules"]}
    assert by_rule["small order"]["draft_count"] == 3
    assert by_rule["small order"]["draft_cost"]["amount"] == "39.00"
    assert by_rule["small order"]["difference_cost"]["amount"] == "39.00"
    assert by_rule["flat"]["compared_count"] == 4
    assert by_rule["flat"]["difference_cost"]["amount"] == "-20.00"
    assert job["processed"] == job["total"] == 5


def test_a_backtest_counts_its_budget_over_the_orders_it_replays(
        dash, history, django_capture_on_commit_callbacks):
    """Oldest first, as the app would have met them: 50 (600) and 10 (100) fit the 60 USD budget;
    25 (250) and 4 (40) are cut by it, as the live app's ledger would have cut them."""
    budgeted = TIERED.replace('currency USD\n', 'currency USD\nbudget 60 USD\n', 1)
    response = start(dash, django_capture_on_commit_callbacks, draft=budgeted, count=100,
                     assume_referred=True)
    result = run_to_end(dash, response)["result"]
    assert result["draft"]["cost"]["amount"] == "60.00"
    assert result["draft"]["rewarded_orders"] == 2


def test_backtest_count_takes_the_latest_orders(dash, history, django_capture_on_commit_callbacks):
    job = run_to_end(dash, start(dash, django_capture_on_commit_callbacks, draft=TIERED, count=2,
                                 assume_referred=True))
    # The two newest paid orders are O-4 (40 USD) and O-5 (EUR, skipped).
    assert (job["result"]["orders"], job["result"]["skipped"]) == (1, 1)
    assert job["result"]["draft"]["cost"]["amount"] == "4.00"


def test_backtest_over_orders_fetched_from_saleor(dash, at_capture_time,
                                                  django_capture_on_commit_callbacks):
    job = run_to_end(dash, start(dash, django_capture_on_commit_callbacks, draft=TIERED,
                                 count=50, source="saleor", assume_referred=True))
    assert job["status"] == "done", job["error"]
    assert job["result"]["orders"] == 3  # the captured Saleor's orders
    assert Decimal(job["result"]["draft"]["cost"]["amount"]) > 0


def test_backtest_over_saleor_keeps_the_orders_of_a_partial_answer(
        at_capture_time, dash, no_real_saleor, django_capture_on_commit_callbacks):
    no_real_saleor.on("orders_facts", saleor_answers.partial_orders_answer(bad=0))
    job = run_to_end(dash, start(dash, django_capture_on_commit_callbacks, draft=TIERED,
                                 count=50, source="saleor", assume_referred=True))
    assert job["status"] == "done", job["error"]
    result = job["result"]
    assert (result["orders"], result["skipped"], result["saleor_error_count"]) == (2, 1, 1)
    (error,) = result["saleor_errors"]
    assert error["reason"] == f"Saleor answered with an error: {saleor_answers.ORIGIN_ERROR}"
    assert Decimal(result["draft"]["cost"]["amount"]) > 0


def test_backtest_over_a_shop_with_two_currencies_counts_in_the_programs_currency(
        dash, no_real_saleor, django_capture_on_commit_callbacks):
    # Saleor's sample shop: its oldest order is in PLN, 8 of its 20 orders are in USD.
    no_real_saleor.on("orders_facts", saleor_answers.captured_answer("orders-facts"))
    job = run_to_end(dash, start(dash, django_capture_on_commit_callbacks, draft=TIERED,
                                 count=200, source="saleor", assume_referred=True))
    assert job["status"] == "done", job["error"]
    result = job["result"]
    assert (result["currency"], result["orders"], result["skipped"]) == ("USD", 8, 12)
    assert result["draft"]["cost"]["currency"] == "USD"
    assert Decimal(result["draft"]["cost"]["amount"]) > 0


def test_backtest_over_a_page_saleor_refuses_says_saleor_answered_with_an_error(
        dash, no_real_saleor, django_capture_on_commit_callbacks):
    no_real_saleor.on("orders_facts", saleor_answers.failed_orders_answer())
    job = run_to_end(dash, start(dash, django_capture_on_commit_callbacks, draft=TIERED,
                                 source="saleor"))
    assert job["status"] == "failed"
    assert job["error"].startswith("Saleor answered with an error: ")
    assert saleor_answers.ORIGIN_ERROR in job["error"]


def test_backtest_refuses_a_broken_draft_and_bad_counts(dash, sources,
                                                        django_capture_on_commit_callbacks):
    broken = start(dash, django_capture_on_commit_callbacks, draft=sources.BROKEN)
    assert broken.status_code == 422
    assert "errors" in broken.json()["error"]
    too_many = start(dash, django_capture_on_commit_callbacks, draft=TIERED, count=10**6)
    assert too_many.status_code == 422
    assert not BacktestJob.objects.exists()


def test_backtest_failure_is_recorded_on_the_job(dash, no_real_saleor,
                                                 django_capture_on_commit_callbacks):
    no_real_saleor.fail_next(10, status=503)
    job = run_to_end(dash, start(dash, django_capture_on_commit_callbacks, draft=TIERED,
                                 source="saleor"))
    assert job["status"] == "failed"
    assert "Saleor did not answer" in job["error"]


def test_jobs_of_another_shop_are_not_visible(dash, make_dash, other_shop, other_signer,
                                              django_capture_on_commit_callbacks):
    job_id = start(dash, django_capture_on_commit_callbacks, draft=TIERED).json()["id"]
    token = other_signer.mint_dashboard_token(saleor_api_url=other_shop.saleor_api_url,
                                              app_id=other_shop.app_id)
    other = make_dash(token, api_url=other_shop.saleor_api_url)
    assert other.get(f"backtests/{job_id}").status_code == 404


def test_a_job_that_stopped_reporting_is_marked_failed(dash, django_capture_on_commit_callbacks):
    job_id = start(dash, django_capture_on_commit_callbacks, draft=TIERED).json()["id"]
    assert dash.get(f"backtests/{job_id}").json()["status"] == "queued"
    BacktestJob.objects.filter(pk=job_id).update(updated_at=timezone.now() - timedelta(hours=1))
    shown = dash.get(f"backtests/{job_id}").json()
    assert shown["status"] == "failed"
    assert "stopped without finishing" in shown["error"]


def test_starting_a_backtest_is_audited(dash, django_capture_on_commit_callbacks):
    from plugin.programs.models import AuditLog

    start(dash, django_capture_on_commit_callbacks, draft=TIERED, count=10)
    entry = AuditLog.objects.get(action="backtest_started")
    assert entry.actor_email == "ann@shop-a.example.com"
    assert entry.details["count"] == 10
