"""Benchmark: the nightly full recompute of customer segments (`segments_recompute`) for 100,000
customers with 500,000 orders (a tenth of customers referred, some orders cancelled, refunded,
unpaid or in EUR), against a hand-written baseline doing only the job: three plain SQL
aggregates and the quantiles, scores and segments in Python, nothing stored. Both must agree on
every customer; prints the times and their ratio. Then the advocates list the dashboard's "Best
customers" section shows (its first page), median of several runs, against one plain SQL query
with the same order and limit; both must return the same customers in the same order.

    .venv/bin/python bench/segments.py [--customers 100000] [--orders 500000] [--postgres]

SQLite: a throwaway database of its own (or DATABASE_URL if set). --postgres: a database of its
own (`bench_segments`) on BENCH_POSTGRES_URL, dropped at the end.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.support.own_database import django_on_own_database, django_on_sqlite  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 10_000
STATUSES = ["paid"] * 90 + ["fulfilled"] * 3 + ["cancelled"] * 3 + ["refunded"] * 2 + [
    "created"] * 2


def _populate(shop, customers: int, orders: int, rng: random.Random) -> None:
    """Orders spread over customers with a long tail (a few buy often); a tenth of customers
    came through a referrer, whose first order carries the referral."""
    from plugin.referrals.models import CustomerOrder, Referral, ReferralCode

    weights = [1.0 / (1 + n) ** 0.5 for n in range(customers)]
    buyers = rng.choices(range(customers), weights=weights, k=orders)
    referred = {c: rng.randrange(customers) for c in rng.sample(range(customers), customers // 10)}
    referred = {c: r for c, r in referred.items() if c != r}
    codes = ReferralCode.objects.bulk_create(
        [ReferralCode(installation=shop, code=f"B-{r:06d}", owner_email=f"c{r}@bench.test")
         for r in sorted(set(referred.values()))], batch_size=CHUNK)
    code_of = {code.owner_email: code for code in codes}
    first_order: dict[int, int] = {}
    for index, buyer in enumerate(buyers):
        first_order.setdefault(buyer, index)
    referral_rows = [Referral(
        installation=shop, code=code_of[f"c{r}@bench.test"], referrer_email=f"c{r}@bench.test",
        referee_email=f"c{c}@bench.test", source=Referral.Source.VOUCHER,
        order_id=f"O-{first_order[c]}", created=START,
        status=rng.choice([Referral.Status.CONVERTED] * 8 + [Referral.Status.ATTRIBUTED,
                                                            Referral.Status.REFUSED]))
        for c, r in referred.items() if c in first_order]
    referral_of = {row.order_id: row for row in
                   Referral.objects.bulk_create(referral_rows, batch_size=CHUNK)}
    span = int((NOW - START).total_seconds())
    batch = []
    for index, buyer in enumerate(buyers):
        status = rng.choice(STATUSES)
        created = START + timedelta(seconds=rng.randrange(span))
        batch.append(CustomerOrder(
            installation=shop, order_id=f"O-{index}", email=f"c{buyer}@bench.test",
            customer_id=f"VXNlcjo{buyer}" if buyer % 4 else "", channel="default-channel",
            total=Decimal(rng.randrange(500, 40_000)) / 100,
            currency="EUR" if buyer % 20 == 0 else "USD", status=status, created=created,
            paid_at=None if status == "created" else created + timedelta(minutes=5),
            referral=referral_of.get(f"O-{index}")))
        if len(batch) >= CHUNK:
            CustomerOrder.objects.bulk_create(batch)
            batch = []
    CustomerOrder.objects.bulk_create(batch)


def _sql(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _money_sql(column: str, sqlite: bool) -> str:
    # SQLite keeps decimals as floating point: sum whole ten-thousandths to stay exact
    return f"SUM(CAST(ROUND({column} * 10000) AS INTEGER))" if sqlite else f"SUM({column})"


def _money(value, sqlite: bool) -> Decimal:
    return Decimal(value) / 10000 if sqlite else Decimal(value)


def _when(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value).replace(
        tzinfo=UTC)


def baseline(shop) -> dict[str, tuple]:
    """The job by hand: per-customer aggregates, quantiles, scores and segments."""
    from django.db import connection

    from plugin.segments.rules import advocate_score, segment_of

    sqlite = connection.vendor == "sqlite"
    kept = ("installation_id = %s AND paid_at IS NOT NULL AND email <> '' "
            "AND status NOT IN ('cancelled', 'refunded')")
    with connection.cursor() as cursor:
        groups = _sql(cursor, f"SELECT email, currency, COUNT(*), {_money_sql('total', sqlite)}, "
                      f"MAX(paid_at) FROM referrals_customerorder WHERE {kept} "
                      "GROUP BY email, currency", [shop.pk])
        asked = _sql(cursor, "SELECT referrer_email, COUNT(DISTINCT referee_email), "
                     "COUNT(DISTINCT CASE WHEN status = 'converted' THEN referee_email END) "
                     "FROM referrals_referral WHERE installation_id = %s "
                     "AND status IN ('attributed', 'converted', 'review') "
                     "GROUP BY referrer_email", [shop.pk])
        revenue = _sql(cursor, f"SELECT r.referrer_email, o.currency, "
                       f"{_money_sql('o.total', sqlite)} FROM referrals_customerorder o "
                       "JOIN referrals_referral r ON r.id = o.referral_id "
                       f"WHERE o.{kept.replace(' AND ', ' AND o.')} AND r.status = 'converted' "
                       "GROUP BY r.referrer_email, o.currency", [shop.pk])
    people: dict[str, list] = {}
    for email, currency, count, spent, last in groups:
        last = _when(last)
        row = people.setdefault(email, [0, None, None, Decimal(0)])
        row[0] += count
        if row[1] is None or last > row[1] or (last == row[1] and currency < row[2]):
            row[1], row[2], row[3] = last, currency, _money(spent, sqlite)
    cut = lambda values: [values[math.ceil(k * len(values) / 5) - 1] for k in range(1, 5)]  # noqa: E731
    recency = cut(sorted(row[1] for row in people.values()))
    frequency = cut(sorted(row[0] for row in people.values()))
    monetary = {currency: cut(sorted(row[3] for row in people.values() if row[2] == currency))
                for currency in {row[2] for row in people.values()}}
    friends = {email: (n, c) for email, n, c in asked}
    brought = {(email, currency): _money(s, sqlite) for email, currency, s in revenue}
    result = {}
    for email, (orders, last, currency, spent) in people.items():
        r, f = 1 + bisect.bisect_left(recency, last), 1 + bisect.bisect_left(frequency, orders)
        m = 1 + bisect.bisect_left(monetary[currency], spent)
        segment = segment_of(recency=r, frequency=f, monetary=m, orders=orders)
        n, converted = friends.get(email, (0, 0))
        result[email] = (orders, currency, spent, r, f, m, segment, n, converted,
                         brought.get((email, currency), Decimal(0)),
                         advocate_score(segment=segment, frequency=f, monetary=m,
                                        converted=converted))
    return result


def stored(shop) -> dict[str, tuple]:
    from plugin.segments.models import CustomerSegment

    return {row[0]: row[1:] for row in CustomerSegment.objects.filter(installation=shop)
            .values_list("email", "orders", "currency", "monetary", "recency_score",
                         "frequency_score", "monetary_score", "segment", "referrals", "converted",
                         "referred_revenue", "advocate_score").iterator(chunk_size=CHUNK)}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(customers: int, orders: int, database: str) -> None:
    from bench.support.advocates_list import advocates_report
    from plugin.install.models import Installation
    from plugin.segments.selectors import segment_counts
    from plugin.segments.services import segments_recompute

    shop = Installation.objects.create(saleor_api_url="http://bench.saleor.localhost/graphql/",
                                       app_id="QXBwOjE=")
    started = time.perf_counter()
    _populate(shop, customers, orders, random.Random(17))
    print(f"segments: {customers:,} customers, {orders:,} orders on {database} "
          f"(loaded in {time.perf_counter() - started:.0f} s, peak {_peak_mb():.0f} MB)")
    started = time.perf_counter()
    expected = baseline(shop)
    base_s = time.perf_counter() - started
    print(f"  baseline (SQL aggregates + Python quantiles, nothing stored) {base_s:7.2f} s  "
          f"peak {_peak_mb():.0f} MB")
    timings = []
    for _round in range(2):
        started = time.perf_counter()
        segments_recompute(installation=shop, now=NOW)
        timings.append(time.perf_counter() - started)
    app_s = min(timings)
    print(f"  app (segments_recompute, {len(expected):,} rows stored and scored) {app_s:7.2f} s  "
          f"peak {_peak_mb():.0f} MB   ratio app/baseline {app_s / base_s:5.2f}x")
    found = stored(shop)
    wrong = [email for email in expected if found.get(email) != expected[email]]
    if wrong or len(found) != len(expected):
        example = wrong[0] if wrong else None
        raise SystemExit(f"the app disagrees with the baseline on {len(wrong)} customers "
                         f"({len(found)} vs {len(expected)} rows); e.g. {example}: "
                         f"{found.get(example)} vs {expected.get(example)}")
    print(f"  every customer agrees with the baseline; {segment_counts(installation=shop)}")
    advocates_report(shop)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres:
        context = django_on_own_database("bench_segments")
    else:
        context = django_on_sqlite("bench-segments-")
    with context as connection:
        run(args.customers, args.orders, connection.vendor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
