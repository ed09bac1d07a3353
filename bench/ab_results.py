"""Benchmark: the results of an A/B test per variant (`ab_test_results`) over 100,000 orders of
60,000 customers (6,000 referrers with codes, a sixth of the orders by referred friends, with
their rewards, visits and invites), against a hand-written baseline doing only the job: the
same grouped sums in four plain SQL statements and the split in Python, nothing else. Both must
give the same figures per variant; prints the times (median of --runs) and their ratio.
Goal: < 300 ms on PostgreSQL.

    .venv/bin/python bench/ab_results.py [--orders 100000] [--customers 60000] [--postgres]

SQLite: a throwaway database of its own. --postgres: a database of its own (`bench_ab`) on
BENCH_POSTGRES_URL, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.support.own_database import django_on_own_database, django_on_sqlite  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 10_000


def _populate(shop, orders: int, customers: int, rng: random.Random, test) -> None:
    from plugin.playbook.models import PlannedMessage
    from plugin.referrals.models import CustomerOrder, Referral, ReferralCode, ReferralVisit
    from plugin.rewards.models import Reward

    referrers = customers // 10
    codes = ReferralCode.objects.bulk_create(
        [ReferralCode(installation=shop, code=f"AB-{n:06d}", owner_email=f"c{n}@bench.test")
         for n in range(referrers)], batch_size=CHUNK)
    ReferralVisit.objects.bulk_create(
        [ReferralVisit(installation=shop, code=rng.choice(codes), visitor_key=f"v{n}")
         for n in range(referrers * 3)], batch_size=CHUNK)
    PlannedMessage.objects.bulk_create(
        [PlannedMessage(installation=shop, key=f"invite:{n}", kind="invite_paid",
                        email=f"c{n}@bench.test", due_at=START, sent_at=START)
         for n in range(0, referrers, 2)], batch_size=CHUNK)
    friends = range(referrers, referrers + customers // 6)
    referral_of = {}
    rows = []
    for friend in friends:
        code = rng.choice(codes)
        variant = test.variant_of(customer_id=None, email=code.owner_email)
        rows.append(Referral(
            installation=shop, code=code, referrer_email=code.owner_email,
            referee_email=f"c{friend}@bench.test", source=Referral.Source.VOUCHER,
            status=Referral.Status.CONVERTED if rng.random() < 0.7 else Referral.Status.ATTRIBUTED,
            ab_test=test.name, ab_variant=variant, created=START))
    for referral in Referral.objects.bulk_create(rows, batch_size=CHUNK):
        referral_of[referral.referee_email] = referral
    order_rows, reward_rows = [], []
    for index in range(orders):
        buyer = rng.randrange(customers)
        email = f"c{buyer}@bench.test"
        referral = referral_of.get(email)
        total = Decimal(rng.randint(1000, 30000)) / 100
        order_rows.append(CustomerOrder(
            installation=shop, order_id=f"O-{index}", email=email, currency="USD", total=total,
            status=rng.choice(["paid"] * 9 + ["cancelled"]), referral=referral,
            paid_at=START + timedelta(minutes=index)))
        if referral is not None and rng.random() < 0.5:
            reward_rows.append(Reward(
                installation=shop, key=f"k{index}", referral_id=referral.pk,
                recipient_role="referrer", recipient_email=referral.referrer_email, kind="money",
                amount=Decimal(rng.choice([5, 10, 15])), currency="USD", ab_test=test.name,
                ab_variant=referral.ab_variant, created_at=START))
    CustomerOrder.objects.bulk_create(order_rows, batch_size=CHUNK)
    Reward.objects.bulk_create(reward_rows, batch_size=CHUNK)


def baseline(shop, test) -> dict[str, tuple]:
    """The same figures from four plain SQL statements and a loop: (referrers, invites,
    visits, referrals, converted, revenue, cost) per variant."""
    from django.db import connection

    with connection.cursor() as cursor:
        def rows(sql: str, *params) -> list[tuple]:
            cursor.execute(sql, [shop.pk, *params])
            return cursor.fetchall()

        owners = rows("SELECT DISTINCT owner_email, owner_customer_id FROM "
                      "referrals_referralcode WHERE installation_id = %s")
        referrals = {e: (r, c) for e, r, c in rows(
            "SELECT referrer_email, COUNT(DISTINCT referee_email), COUNT(DISTINCT CASE WHEN "
            "status = 'converted' THEN referee_email END) FROM referrals_referral WHERE "
            "installation_id = %s AND ab_test = %s AND status IN ('attributed', 'converted') "
            "GROUP BY referrer_email", test.name)}
        revenue = dict(rows(
            "SELECT r.referrer_email, SUM(o.total) FROM referrals_customerorder o JOIN "
            "referrals_referral r ON r.id = o.referral_id WHERE o.installation_id = %s AND "
            "r.ab_test = %s AND o.paid_at IS NOT NULL AND o.currency = 'USD' AND o.status <> "
            "'cancelled' GROUP BY r.referrer_email", test.name))
        cost = dict(rows(
            "SELECT r.referrer_email, SUM(w.amount) FROM rewards_reward w JOIN "
            "referrals_referral r ON r.id = w.referral_id WHERE w.installation_id = %s AND "
            "w.ab_test = %s AND w.currency = 'USD' AND w.amount IS NOT NULL GROUP BY "
            "r.referrer_email", test.name))
        visits = dict(rows(
            "SELECT c.owner_email, COUNT(*) FROM referrals_referralvisit v JOIN "
            "referrals_referralcode c ON c.id = v.code_id WHERE v.installation_id = %s "
            "GROUP BY c.owner_email"))
        invites = dict(rows(
            "SELECT email, COUNT(*) FROM playbook_plannedmessage WHERE installation_id = %s AND "
            "kind IN ('invite_paid', 'invite_fulfilled', 'followup') AND sent_at IS NOT NULL "
            "GROUP BY email"))
    found: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, 0, Decimal(0), Decimal(0)])
    for email, owner_id in owners:
        row = found[test.variant_of(customer_id=owner_id or None, email=email)]
        count = referrals.get(email, (0, 0))
        for index, value in enumerate((1, invites.get(email, 0), visits.get(email, 0), *count,
                                       Decimal(revenue.get(email) or 0),
                                       Decimal(cost.get(email) or 0))):
            row[index] += value
    return {name: (*row[:5], f"{row[5]:.2f}", f"{row[6]:.2f}") for name, row in found.items()}


def app(shop, test) -> dict[str, tuple]:
    from plugin.experiments.selectors import ab_test_results

    result = ab_test_results(installation=shop, test=test, currency="USD")
    return {v["name"]: (v["referrers"], v["invites"], v["visits"], v["referrals"],
                        v["converted"], v["revenue"]["amount"], v["cost"]["amount"])
            for v in result["variants"]}


def _timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(options) -> None:
    from django.db import connection

    from plugin.install.models import Installation
    from rules.evaluate.ab_tests import ABTestInfo

    test = ABTestInfo("Welcome offer", "welcome-2026", (("ten percent", 1),
                                                        ("fifteen dollars", 1)), 1)
    shop = Installation.objects.create(saleor_api_url="https://bench-ab.saleor.localhost/graphql/",
                                       app_id="QXBwOjE=")
    _populate(shop, options.orders, options.customers, random.Random(7), test)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    base_s, expected = _timed(lambda: baseline(shop, test), options.runs)
    app_s, got = _timed(lambda: app(shop, test), options.runs)
    if got != expected:
        raise SystemExit(f"the results differ from the baseline:\n{got}\n{expected}")
    print(f"A/B test results over {options.orders:,} orders of {options.customers:,} customers "
          f"({connection.vendor}; median of {options.runs} runs)")
    for name, row in got.items():
        print(f"  {name:16} referrers {row[0]:,}  referrals {row[3]:,}  bought {row[4]:,}  "
              f"revenue {row[5]} USD  cost {row[6]} USD")
    print(f"  app (with the confidence sequence and verdict) {app_s * 1000:8.1f} ms")
    print(f"  baseline: plain SQL sums and the split       {base_s * 1000:8.1f} ms")
    print(f"  ratio {app_s / base_s:.2f}x the baseline; goal < 300 ms: "
          f"{'met' if app_s < 0.3 else 'NOT met'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--database", default="bench_ab")
    options = parser.parse_args()
    with (django_on_own_database(options.database) if options.postgres
          else django_on_sqlite("bench-ab-")):
        run(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
