"""The advocates list as the dashboard's "Best customers" section asks for it (first page of the
ranked list, no segment filter) timed against one plain SQL query doing only that job."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

PAGE = 100  # what the dashboard asks for (`PAGE` in the front end, the view's default limit)
RUNS = 9
BUDGET_MS = 300.0

# the selector's order, ties included, so both answers can be compared row by row
BASELINE_SQL = (
    "SELECT email, customer_id, segment, advocate_score, recency_score, frequency_score, "
    "monetary_score, orders, last_order_at, monetary, currency, referrals, converted, "
    "referred_revenue FROM segments_customersegment WHERE installation_id = %s "
    "ORDER BY advocate_score DESC, converted DESC, referrals DESC, last_order_at DESC, email "
    "LIMIT %s")


def app_page(shop) -> list[str]:
    from plugin.segments.selectors import advocates_ranked

    return [row.email for row in advocates_ranked(installation=shop)[0:PAGE]]


def baseline_page(shop) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, [shop.pk, PAGE])
        return [row[0] for row in cursor.fetchall()]


def _median_ms(job: Callable[[], list[str]]) -> tuple[float, list[str]]:
    timings, answer = [], []
    for _run in range(RUNS):
        started = time.perf_counter()
        answer = job()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), answer


def advocates_report(shop) -> None:
    """Prints both medians, their ratio and the verdict; exits when the answers differ."""
    base_ms, expected = _median_ms(lambda: baseline_page(shop))
    app_ms, found = _median_ms(lambda: app_page(shop))
    print(f"  advocates list, first {PAGE} (median of {RUNS}): "
          f"baseline (one SQL query) {base_ms:7.2f} ms   "
          f"app (advocates_ranked) {app_ms:7.2f} ms   ratio app/baseline {app_ms / base_ms:5.2f}x")
    if found != expected:
        first = next((n for n, (a, b) in enumerate(zip(found, expected, strict=False))
                      if a != b), min(len(found), len(expected)))
        raise SystemExit(f"the advocates list disagrees with the baseline at rank {first + 1} "
                         f"({len(found)} vs {len(expected)} rows)")
    verdict = "under" if app_ms < BUDGET_MS else "OVER"
    print(f"  same {len(found)} customers in the same order; app {verdict} the "
          f"{BUDGET_MS:.0f} ms budget")
