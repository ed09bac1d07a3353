"""The Best customers section in Chromium: segment counts as cards, the customers to invite
first ranked by advocate score, a card filtering the list, the CSV download and a recompute."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.referrals.models import Referral, ReferralCode
from plugin.referrals.services import customer_order_record
from plugin.segments.models import SegmentCuts
from plugin.segments.selectors import segment_counts
from plugin.segments.services import segments_recompute
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _buy(shop, email: str, n: int, days_ago: int, total: str, *, order_id: str = "") -> None:
    when = timezone.now() - timedelta(days=days_ago)
    customer_order_record(installation=shop, status="paid", at=when, order_payload={
        "id": order_id or f"T3JkZXI6{email}-{n}", "userEmail": email, "isPaid": True,
        "created": when.isoformat(),
        "channel": {"slug": "default-channel", "currencyCode": "USD"},
        "total": {"gross": {"amount": total, "currency": "USD"}}})


def _seed(shop) -> None:
    for n in range(4):
        _buy(shop, "ann@x.com", n, 3 + 20 * n, "120.00")
    for k in range(8):
        _buy(shop, f"once{k}@x.com", 0, 30 + 40 * k, "15.00")
    code = ReferralCode.objects.create(installation=shop, code="ANN-7K2Q", owner_email="ann@x.com")
    Referral.objects.create(installation=shop, code=code, referrer_email="ann@x.com",
                            referee_email="friend@x.com", source=Referral.Source.VOUCHER,
                            order_id="T3JkZXI6friend")
    _buy(shop, "friend@x.com", 0, 2, "60.00", order_id="T3JkZXI6friend")
    segments_recompute(installation=shop, now=timezone.now())


def test_best_customers_ranked_filtered_and_downloaded(open_dashboard, shop, shot):
    _seed(shop)
    counts = segment_counts(installation=shop)
    page, app = open_dashboard(width=1024)
    open_section(app, "Best customers")

    cards = app.locator("#segment-cards")
    expect(cards.locator("[data-segment=asleep] strong")).to_have_text(str(counts["asleep"]))
    first = app.locator("#advocates tbody tr").first
    expect(first).to_contain_text("ann@x.com")
    expect(first).to_contain_text("Champions")
    expect(first).to_contain_text("60.00 USD")  # what her friend spent
    shot(page, "40-best-customers")

    cards.locator("[data-segment=asleep]").click()
    expect(cards.locator("[data-segment=asleep]")).to_have_attribute("aria-pressed", "true")
    expect(app.locator("#segment-filter")).to_have_value("asleep")
    expect(app.locator("#advocates tbody tr")).to_have_count(counts["asleep"])
    expect(app.locator("#advocates")).not_to_contain_text("ann@x.com")

    with page.expect_download() as download:
        app.get_by_role("button", name="Download CSV").click()
    saved = download.value
    assert saved.suggested_filename.startswith("advocates-asleep-")
    rows = list(csv.reader(io.StringIO(Path(saved.path()).read_text(encoding="utf-8"))))
    assert len(rows) == counts["asleep"] + 1 and {row[3] for row in rows[1:]} == {"asleep"}

    measured = _last_measured(shop)
    app.get_by_role("button", name="Recompute now").click()
    expect(app.locator("#segments-status")).to_contain_text("Shop distribution measured")
    # The recompute runs after the response: the test ends only once it has (else it would still
    # hold its locks while the test database is emptied).
    _wait_for(lambda: _last_measured(shop) > measured)
    assert page.errors == []


def _last_measured(shop):
    return (SegmentCuts.objects.filter(installation=shop).order_by("-computed_at")
            .values_list("computed_at", flat=True).first())


def _wait_for(done, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the recompute did not finish"
        time.sleep(0.1)
