"""Benchmark: a contest leaderboard among 100,000 referrers with 1,000,000 referred orders on
PostgreSQL. Times the app's selectors (`contest_standings` top 100, `contest_rank` of one
referrer) on the denormalised score table against a naive baseline that aggregates the referral
records on every read, and prints the ratios. Target: < 100 ms each.

    .venv/bin/python bench/leaderboard.py [--referrers 100000] [--orders 1000000]

Uses a database of its own (`bench_leaderboard`) on BENCH_POSTGRES_URL, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.support.own_database import django_on_own_database  # noqa: E402

BENCH_DB = "bench_leaderboard"
START = date(2026, 3, 1)
ROUNDS = 30


def _copy(model, columns: list[str], rows) -> None:
    """COPY rows (tuples in `columns` order) into a model's table; other columns get defaults."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.column != "id"]
    extra = [f for f in fields if f.column not in columns]
    defaults = tuple(f.get_default() if f.has_default() else (
        None if f.null else datetime.now(UTC)) for f in extra)
    names = ", ".join([*columns, *(f.column for f in extra)])
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(
            f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *defaults))


def _load(installation, referrers: int, orders: int, rng: random.Random) -> None:
    from plugin.referrals.models import CustomerOrder, Referral, ReferralCode

    emails = [f"referrer{n}@example.com" for n in range(referrers)]
    _copy(ReferralCode, ["installation_id", "code", "owner_email"],
          ((installation.pk, f"CODE-{n:06d}", e) for n, e in enumerate(emails)))
    code_ids = dict(ReferralCode.objects.values_list("owner_email", "pk"))
    # a long tail: a few referrers bring many friends, most bring a handful
    weights = [1.0 / (1 + n) ** 0.6 for n in range(referrers)]
    chosen = rng.choices(range(referrers), weights=weights, k=orders)
    window = 31 * 24 * 3600
    starts = datetime(START.year, START.month, START.day, tzinfo=UTC)
    stamps = [starts + timedelta(seconds=rng.randrange(window)) for _ in range(orders)]
    flagged = {Referral.Status.REFUSED, Referral.Status.REVIEW}
    statuses = rng.choices([Referral.Status.CONVERTED, *flagged], weights=[96, 2, 2], k=orders)

    def referrals():
        for n, who in enumerate(chosen):
            email = emails[who]
            yield (installation.pk, code_ids[email], email, f"friend{n}@example.com", "voucher",
                   f"order-{n}", statuses[n], stamps[n], stamps[n])

    _copy(Referral, ["installation_id", "code_id", "referrer_email", "referee_email", "source",
                     "order_id", "status", "created", "updated"], referrals())
    referral_ids = dict(Referral.objects.values_list("order_id", "pk").iterator(chunk_size=50000))
    totals = [Decimal(rng.randrange(500, 30000)) / 100 for _ in range(orders)]
    order_status = rng.choices(["paid", "cancelled", "refunded"], weights=[94, 3, 3], k=orders)

    def customer_orders():
        for n in range(orders):
            yield (installation.pk, f"order-{n}", f"friend{n}@example.com", totals[n], "USD",
                   stamps[n], stamps[n], order_status[n], referral_ids[f"order-{n}"], stamps[n])

    _copy(CustomerOrder, ["installation_id", "order_id", "email", "total", "currency", "created",
                          "paid_at", "status", "referral_id", "updated"], customer_orders())


NAIVE_SCORES = """
    SELECT r.referrer_email, SUM(o.total) AS score, MAX(o.paid_at) AS reached
    FROM referrals_customerorder o JOIN referrals_referral r ON r.id = o.referral_id
    WHERE o.installation_id = %(inst)s AND o.paid_at >= %(start)s AND o.paid_at < %(end)s
      AND o.status NOT IN ('cancelled', 'refunded') AND r.status NOT IN ('refused', 'review')
    GROUP BY r.referrer_email
"""
NAIVE_TOP = NAIVE_SCORES + " ORDER BY score DESC, reached, referrer_email LIMIT 100"
NAIVE_RANK = f"""
    SELECT place FROM (
        SELECT referrer_email, ROW_NUMBER() OVER (ORDER BY score DESC, reached, referrer_email)
            AS place
        FROM ({NAIVE_SCORES}) AS scores) AS ranked
    WHERE referrer_email = %(who)s
"""


def _timed(function, rounds: int = ROUNDS) -> tuple[float, float]:
    """(median, max) in milliseconds."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is")
    options = parser.parse_args()
    with django_on_own_database(BENCH_DB, fresh=not options.reuse,
                                keep=options.keep) as connection:
        _run(options, connection)


def _run(options, connection) -> None:
    from plugin.contests.models import Contest
    from plugin.contests.selectors import contest_rank, contest_standings
    from plugin.contests.services import contest_entry_refresh, contest_rebuild
    from plugin.install.models import Installation

    rng = random.Random(7)
    shop = Installation.objects.filter(saleor_api_url="https://bench.example.com/graphql/").first()
    if shop is None or not options.reuse:
        shop = Installation.objects.create(saleor_api_url="https://bench.example.com/graphql/")
        began = time.perf_counter()
        _load(shop, options.referrers, options.orders, rng)
        print(f"loaded {options.referrers:,} referrers, {options.orders:,} referred orders "
              f"in {time.perf_counter() - began:.1f} s")
    Contest.objects.filter(installation=shop).delete()
    contest = Contest.objects.create(
        installation=shop, name="March", starts=START, ends=date(2026, 3, 31),
        score="referred_net_revenue", tie_break="earliest", currency="USD",
        prizes=[{"first": 1, "last": 1, "kind": "money", "description": "500 USD",
                 "amount": "500", "currency": "USD", "points": None, "delivery": "gift_card"}])
    began = time.perf_counter()
    entrants = contest_rebuild(contest=contest)
    print(f"score table rebuilt: {entrants:,} entrants in {time.perf_counter() - began:.1f} s "
          "(periodic; live updates rescore one referrer)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    params = {"inst": shop.pk, "start": datetime(2026, 3, 1, tzinfo=UTC),
              "end": datetime(2026, 4, 1, tzinfo=UTC)}
    top = contest_standings(installation=shop, contest=contest, limit=100)
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_TOP, params)
        naive = cursor.fetchall()
    assert [s.referrer_email for s in top] == [r[0] for r in naive], "top 100 differ"
    sample = [s.referrer_email for s in contest_standings(
        installation=shop, contest=contest, limit=500)]
    tail = list(contest.entries.order_by("score").values_list("referrer_email", flat=True)[:50])
    people = iter(rng.sample(sample, 20) + tail * 2)  # leaders and the long tail

    def naive_top() -> None:
        with connection.cursor() as cursor:
            cursor.execute(NAIVE_TOP, params)
            cursor.fetchall()

    def naive_rank() -> None:
        with connection.cursor() as cursor:
            cursor.execute(NAIVE_RANK, {**params, "who": tail[0]})
            cursor.fetchone()

    who = tail[0]
    with connection.cursor() as cursor:
        cursor.execute(NAIVE_RANK, {**params, "who": who})
        assert cursor.fetchone()[0] == contest_rank(
            installation=shop, contest=contest, referrer=who).rank, "ranks differ"

    figures = [
        ("top 100", lambda: contest_standings(installation=shop, contest=contest, limit=100),
         naive_top),
        ("one referrer's rank", lambda: contest_rank(
            installation=shop, contest=contest, referrer=next(people, who)), naive_rank),
    ]
    print(f"{'read':<22}{'app median':>12}{'app max':>10}{'naive median':>14}{'ratio':>8}")
    for label, app, baseline in figures:
        app_median, app_max = _timed(app)
        naive_median, _ = _timed(baseline, rounds=3)
        verdict = "ok" if app_max < 100 else "OVER 100 ms"
        print(f"{label:<22}{app_median:>10.2f}ms{app_max:>8.2f}ms{naive_median:>12.1f}ms"
              f"{naive_median / app_median:>7.0f}x  {verdict}")
    refresh_median, refresh_max = _timed(
        lambda: contest_entry_refresh(contest=contest, referrer_email=sample[0]), rounds=10)
    print(f"{'live rescore of one':<22}{refresh_median:>10.2f}ms{refresh_max:>8.2f}ms "
          "(the leader, most orders)")


if __name__ == "__main__":
    main()
