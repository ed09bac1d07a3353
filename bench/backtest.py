"""Benchmark: the dashboard's backtest over stored orders (`backtest_run`, end to end with its
progress writes), its orders/s and where the time goes (query, facts, evaluation, progress
writes and the rest), against the hand-written per-order baseline.

The baseline reads the orders as model instances and asks the per-order selectors
`customer_facts` and `referral_facts` for each (queries for every order); the app streams plain
rows and builds every order's facts from a few queries in all. Both runs read the same orders
(with lines, a tenth of them referred) and must give the same result. The baseline runs only up
to `--baseline-up-to` orders (it takes minutes at 100,000). Goal: 100,000 orders in < 10 s.

    .venv/bin/python bench/backtest.py [--sizes 1000 10000 100000] [--runs 3] [--postgres]

Runs on a throwaway SQLite database of its own, or with --postgres on a PostgreSQL database of
its own (`--database`, on BENCH_POSTGRES_URL; see scripts/start-postgres), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.support.own_database import django_on_own_database, django_on_sqlite  # noqa: E402

DRAFT = """program "Bench backtest" currency USD

rule "first order" on order paid when customer.orders == 0 and order_total >= 30 USD:
    give customer 5 USD

rule "regulars" on order paid when customer.orders >= 3 and customer.total_spent > 200 USD:
    give customer 100 points

rule "tees" on order paid when any(lines where line.category == "t-shirts"):
    give customer 1 USD * sum(line.quantity for line in lines where line.category == "t-shirts")

rule "referred" on order paid when referred and referrer.orders >= 1:
    give referrer 10% of order_total max 20 USD
"""
START = datetime(2025, 1, 1, tzinfo=UTC)
PRODUCTS = [("ascii-tee", "t-shirts", "18.00"), ("apple-juice", "juices", "1.79"),
            ("monospace-hoodie", "sweatshirts", "45.00"), ("white-plimsolls", "sneakers", "39.90")]


def _lines(rng: random.Random) -> tuple[list[dict], Decimal]:
    lines, subtotal = [], Decimal(0)
    for product, category, price in rng.sample(PRODUCTS, rng.randint(1, 3)):
        quantity = rng.randint(1, 4)
        total = Decimal(price) * quantity
        subtotal += total
        lines.append({"product": product, "sku": None, "name": product, "variant_id": None,
                      "category": category, "collections": [], "quantity": quantity,
                      "unit_price": price, "total": str(total)})
    return lines, subtotal


def _populate(shop, count: int, customers_per: int) -> None:
    """`count` paid orders of count/customers_per customers (a fifth of them guests)."""
    from plugin.referrals.models import CustomerOrder, Referral, ReferralCode

    rng = random.Random(count)
    people = max(1, count // customers_per)
    code = ReferralCode.objects.create(installation=shop, code="BENCH-1",
                                       owner_email="c0@bench.test")
    rows, moment = [], START
    for index in range(count):
        person = rng.randrange(people)
        customer_id = f"VXNlcjo{person}" if person % 5 else ""
        lines, subtotal = _lines(rng)
        shipping = Decimal("5.00")
        moment += timedelta(minutes=rng.randint(1, 120))
        rows.append(CustomerOrder(
            installation=shop, order_id=f"O-{count}-{index}", number=str(index),
            customer_id=customer_id, email=f"c{person}@bench.test", channel="default-channel",
            total=subtotal + shipping, currency="USD", status=CustomerOrder.Status.PAID,
            created=moment, paid_at=moment + timedelta(minutes=1), lines=lines,
            subtotal=subtotal, shipping=shipping))
    orders = CustomerOrder.objects.bulk_create(rows, batch_size=1000)
    referred = [order for order in orders if rng.random() < 0.1]
    referrals = Referral.objects.bulk_create([
        Referral(installation=shop, code=code, referrer_email="c0@bench.test",
                 referee_email=order.email, source=Referral.Source.VOUCHER,
                 order_id=order.order_id, status=Referral.Status.CONVERTED,
                 created=order.created) for order in referred])
    for order, referral in zip(referred, referrals, strict=True):
        order.referral = referral
    CustomerOrder.objects.bulk_update(referred, ["referral"], batch_size=1000)


def _per_order_source(*, installation, count: int, assume_referred: bool):
    """Baseline: model instances, the per-order selectors and a query or three for each order."""
    from plugin.referrals.models import CustomerOrder
    from plugin.referrals.order_lines import stored_order_facts
    from plugin.referrals.selectors import customer_facts, referral_facts
    from rules.facts import Facts, ReferralFacts, Trigger
    from rules.facts.money import MoneyError

    rows = list(CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
                .exclude(status=CustomerOrder.Status.CANCELLED).select_related("referral__code")
                .order_by("-paid_at", "-id")[:count])
    rows.reverse()
    for row in rows:
        try:
            order = stored_order_facts(row)
        except MoneyError:
            yield len(rows), None
            continue
        referral = referral_facts(installation=installation, referral=row.referral,
                                  now=row.paid_at)
        if not referral.is_referred and assume_referred:
            referral = ReferralFacts(is_referred=True, days_since=0)
        yield len(rows), Facts(
            trigger=Trigger.ORDER_PAID, now=row.paid_at, channel=order.channel,
            currency=row.currency, order=order, referral=referral,
            customer=customer_facts(installation=installation,
                                    customer_id=row.customer_id or None, email=row.email,
                                    before=row.paid_at, currency=row.currency,
                                    channel=row.channel))


def _clocked(function) -> tuple[float, float]:
    """(wall, CPU) seconds of one call: the CPU time tells this process's own work apart from
    time lost to other processes on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _phases(shop, count: int) -> dict[str, tuple[float, float]]:
    """Where the time goes, (wall, CPU) seconds: each step run up to itself, the differences
    taken. query: the queries and rows alone; facts: the stream of facts less its query;
    evaluation: the draft on every order; writes+rest: the whole job less all that (progress
    writes, the result, compiling the draft). On PostgreSQL the server's own work shows in the
    wall time only."""
    from plugin.dashboard import backtest_sources
    from plugin.dashboard.language import compiled_or_diagnostics

    program, _ = compiled_or_diagnostics(DRAFT)

    def query() -> None:
        *_, rows = backtest_sources.stored_rows(installation=shop, count=count)
        for _ in rows:
            pass

    def stream() -> None:
        for _ in backtest_sources.stored_orders(installation=shop, count=count,
                                                assume_referred=False):
            pass

    def evaluated() -> None:
        for _, facts in backtest_sources.stored_orders(installation=shop, count=count,
                                                       assume_referred=False):
            program.evaluate(facts)

    queried, streamed, evaluated_s = _clocked(query), _clocked(stream), _clocked(evaluated)
    whole = _backtest(shop, count)[:2]
    steps = {"query": (queried, (0, 0)), "facts": (streamed, queried),
             "evaluation": (evaluated_s, streamed), "writes+rest": (whole, evaluated_s)}
    return {name: (upto[0] - before[0], upto[1] - before[1])
            for name, (upto, before) in steps.items()}


def _backtest(shop, count: int) -> tuple[float, float, dict]:
    """(wall, CPU, result) of one whole job."""
    from plugin.dashboard.backtest import backtest_run
    from plugin.dashboard.models import BacktestJob

    job = BacktestJob.objects.create(installation=shop, draft_source=DRAFT, draft_hash="bench",
                                     requested=count, created_by_email="bench@bench.test")
    wall, cpu = _clocked(lambda: backtest_run(job_id=job.pk))
    job.refresh_from_db()
    if job.status != BacktestJob.Status.DONE:
        raise SystemExit(f"backtest failed: {job.error}")
    if (job.processed, job.total) != (count, count):
        raise SystemExit(f"progress ended at {job.processed} of {job.total}")
    return wall, cpu, job.result


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})"


def _run(options) -> None:
    from plugin.dashboard import backtest_sources
    from plugin.install.models import Installation

    print(f"backtest over stored orders ({options.customers_per} orders a customer on average, "
          f"a tenth referred; {os.environ['DATABASE_URL'].split(':', 1)[0]}; "
          f"median (min-max) of {options.runs} runs)")
    for count in options.sizes:
        shop = Installation.objects.create(
            saleor_api_url=f"http://bench-{count}.saleor.localhost/graphql/", app_id="QXBwOjE=")
        _populate(shop, count, options.customers_per)
        runs = [_backtest(shop, count) for _ in range(options.runs)]
        walls, cpus, after = [run[0] for run in runs], [run[1] for run in runs], runs[-1][2]
        wall = statistics.median(walls)
        line = (f"  {count:>7,} orders  {_spread(walls)} wall, {_spread(cpus)} CPU  "
                f"{count / wall:8,.0f} orders/s  draft cost {after['draft']['cost']['amount']} USD")
        if count <= options.baseline_up_to:
            streamed = backtest_sources.stored_orders
            backtest_sources.stored_orders = _per_order_source
            try:
                before_s, _, before = _backtest(shop, count)
            finally:
                backtest_sources.stored_orders = streamed
            if before != after:
                raise SystemExit("the backtest gave another result than the per-order baseline")
            line += (f"\n           per-order baseline {before_s:6.2f} s "
                     f"{count / before_s:8,.0f} orders/s   ratio {before_s / wall:5.1f}x")
        print(line)
        phases = _phases(shop, count)
        for index, clock in enumerate(("wall", "CPU")):
            whole = sum(phase[index] for phase in phases.values())
            print(f"           where the time goes ({clock}): " + ", ".join(
                f"{name} {phase[index]:.2f} s ({phase[index] / whole:.0%})"
                for name, phase in phases.items()))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--customers-per", type=int, default=10,
                        help="orders per customer on average")
    parser.add_argument("--runs", type=int, default=3, help="runs of the app's backtest a size")
    parser.add_argument("--baseline-up-to", type=int, default=10_000,
                        help="run the per-order baseline only up to this many orders")
    parser.add_argument("--postgres", action="store_true",
                        help="on a PostgreSQL database of its own instead of SQLite")
    parser.add_argument("--database", default="bench_backtest",
                        help="the PostgreSQL database's name (created and dropped)")
    options = parser.parse_args()

    with (django_on_own_database(options.database) if options.postgres
          else django_on_sqlite("bench-backtest-")):
        _run(options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
