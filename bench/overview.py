"""Benchmark: the dashboard Overview (`dashboard_overview`) on a shop with 100,000 paid orders
from 60,000 customers on PostgreSQL, against a hand-written baseline that reads every order into
Python and groups customers there; checks both agree and prints the times and their ratio.
Target: the Overview answers in < 300 ms.

    .venv/bin/python bench/overview.py [--orders 100000] [--customers 60000]

Uses a database of its own (`bench_overview`) on BENCH_POSTGRES_URL, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.support.own_database import django_on_own_database  # noqa: E402

BENCH_DB = "bench_overview"
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
ROUNDS = 15


def _load(shop, orders: int, customers: int, rng: random.Random) -> None:
    from plugin.referrals.models import CustomerOrder, Referral, ReferralCode

    code = ReferralCode.objects.create(installation=shop, code="BENCH", owner_email="r@x.com")
    # every customer orders once, the rest of the orders go to a repeating minority
    buyers = list(range(customers)) + rng.choices(range(customers // 3), k=orders - customers)
    stamps = sorted(NOW - timedelta(seconds=rng.randrange(400 * 86400)) for _ in buyers)
    seen: set[int] = set()
    referrals, rows = [], []
    for n, (who, paid_at) in enumerate(zip(buyers, stamps, strict=True)):
        first = who not in seen
        seen.add(who)
        referred = rng.random() < (0.25 if first else 0.05)
        if referred:
            referrals.append(Referral(
                installation=shop, code=code, referrer_email="r@x.com",
                referee_email=f"c{who}@x.com", source="voucher", order_id=f"o{n}",
                status=rng.choices(["converted", "refused"], weights=[95, 5])[0]))
        rows.append((n, who, paid_at, referred))
    by_order = {r.order_id: r for r in Referral.objects.bulk_create(referrals, batch_size=5000)}
    status = rng.choices(["paid", "fulfilled", "cancelled"], weights=[80, 17, 3], k=len(rows))
    CustomerOrder.objects.bulk_create([CustomerOrder(
        installation=shop, order_id=f"o{n}", email=f"c{who}@x.com",
        total=Decimal(rng.randrange(500, 30000)) / 100, currency="USD" if n % 50 else "EUR",
        paid_at=paid_at, status=status[n], referral=by_order.get(f"o{n}"))
        for n, who, paid_at, _ in rows], batch_size=5000)


def _baseline(shop) -> dict:
    """The same customer figures, computed in Python from every paid order's row."""
    from plugin.referrals.models import CustomerOrder

    rows = (CustomerOrder.objects.filter(installation=shop, paid_at__isnull=False, currency="USD")
            .exclude(status="cancelled").order_by("paid_at", "pk")
            .values_list("email", "total", "referral_id", "referral__status"))
    groups: dict[str, list] = defaultdict(lambda: [None, 0, Decimal(0)])
    for email, total, referral_id, referral_status in rows.iterator(chunk_size=10000):
        group = groups[email]
        if group[0] is None:
            group[0] = referral_id is not None and referral_status != "refused"
        group[1] += 1
        group[2] += total
    referred = [g for g in groups.values() if g[0]]
    repeaters = sum(1 for g in referred if g[1] >= 2)
    value = sum((g[2] for g in referred), Decimal(0)) / len(referred)
    return {"referred_customers": len(referred), "other_customers": len(groups) - len(referred),
            "referred_repeat_rate": str((Decimal(repeaters * 100) / len(referred)).quantize(
                Decimal("0.1"), ROUND_HALF_UP)),
            "referred_customer_value": str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))}


def _timed(function) -> float:
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=60_000)
    options = parser.parse_args()
    with django_on_own_database(BENCH_DB) as connection:
        _run(options, connection)


def _run(options, connection) -> None:
    from django.test.utils import CaptureQueriesContext

    from plugin.dashboard.selectors import dashboard_overview
    from plugin.install.models import Installation

    shop = Installation.objects.create(saleor_api_url="https://bench.example.com/graphql/")
    began = time.perf_counter()
    _load(shop, options.orders, options.customers, random.Random(7))
    print(f"loaded {options.orders:,} orders of {options.customers:,} customers "
          f"in {time.perf_counter() - began:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        figures = dashboard_overview(installation=shop, now=NOW)
    expected = _baseline(shop)
    got = {"referred_customers": figures["referred_customers"],
           "other_customers": figures["other_customers"],
           "referred_repeat_rate": figures["referred_repeat_rate"],
           "referred_customer_value": figures["referred_customer_value"]["amount"]}
    assert got == expected, (got, expected)
    overview_ms = _timed(lambda: dashboard_overview(installation=shop, now=NOW))
    baseline_ms = _timed(lambda: _baseline(shop))
    print(f"customers: {figures['referred_customers']:,} referred, "
          f"{figures['other_customers']:,} others (baseline agrees)")
    print(f"overview: {overview_ms:.0f} ms in {len(queries)} queries (target < 300 ms); "
          f"first call per query: {', '.join(q['time'] for q in queries.captured_queries)} s")
    print(f"baseline, every order grouped in Python: {baseline_ms:.0f} ms "
          f"(overview is {baseline_ms / overview_ms:.1f}x faster)")


if __name__ == "__main__":
    main()
