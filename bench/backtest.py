"""Benchmark: the dashboard's backtest over stored orders (`backtest_run`, end to end with its
progress writes) at 1,000 and 10,000 orders, before and after batching the customer history.

"Before" is the hand-written baseline: the per-order selectors `customer_facts` and
`referral_facts`, queries for every order; "after" is the app's `customer_facts_many` and
`referral_facts_many`, three queries in all. Both runs read the same orders (with lines, a tenth
of them referred) and must give the same result.

    .venv/bin/python bench/backtest.py [--sizes 1000 10000] [--customers-per 10]

Runs on a throwaway SQLite database of its own (or DATABASE_URL if set).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


def _customers_per_order(*, installation, orders):
    """Baseline: the per-order selector, one query for each order."""
    from plugin.referrals.selectors import customer_facts

    return {order.pk: customer_facts(installation=installation,
                                      customer_id=order.customer_id or None, email=order.email,
                                      before=order.paid_at, currency=order.currency,
                                      channel=order.channel)
            for order in orders}


def _referrals_per_order(*, installation, orders):
    """Baseline: the per-order selector, two queries for each referred order."""
    from plugin.referrals.selectors import referral_facts

    return {order.pk: referral_facts(installation=installation, referral=order.referral,
                                     now=order.paid_at) for order in orders}


def _backtest(shop, count: int) -> tuple[float, dict]:
    from plugin.dashboard.backtest import backtest_run
    from plugin.dashboard.models import BacktestJob

    job = BacktestJob.objects.create(installation=shop, draft_source=DRAFT, draft_hash="bench",
                                     requested=count, created_by_email="bench@bench.test")
    start = time.perf_counter()
    backtest_run(job_id=job.pk)
    elapsed = time.perf_counter() - start
    job.refresh_from_db()
    if job.status != BacktestJob.Status.DONE:
        raise SystemExit(f"backtest failed: {job.error}")
    return elapsed, job.result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--customers-per", type=int, default=10,
                        help="orders per customer on average")
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        workdir = tempfile.mkdtemp(prefix="bench-backtest-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from plugin.install.models import Installation
    from plugin.referrals import selectors_many

    call_command("migrate", verbosity=0)
    batched = (selectors_many.customer_facts_many, selectors_many.referral_facts_many)
    print(f"backtest over stored orders ({args.customers_per} orders a customer on average, "
          f"a tenth referred; {os.environ['DATABASE_URL'].split(':', 1)[0]})")
    for count in args.sizes:
        shop = Installation.objects.create(
            saleor_api_url=f"http://bench-{count}.saleor.localhost/graphql/", app_id="QXBwOjE=")
        _populate(shop, count, args.customers_per)
        selectors_many.customer_facts_many = _customers_per_order
        selectors_many.referral_facts_many = _referrals_per_order
        try:
            before_s, before = _backtest(shop, count)
        finally:
            selectors_many.customer_facts_many, selectors_many.referral_facts_many = batched
        after_s, after = _backtest(shop, count)
        if before != after:
            raise SystemExit("the batched backtest gave another result than the baseline")
        print(f"  {count:>6} orders  before (per-order selector) {before_s:8.2f} s "
              f"{count / before_s:8,.0f} orders/s   after (batched) {after_s:8.2f} s "
              f"{count / after_s:8,.0f} orders/s   ratio {before_s / after_s:5.1f}x   "
              f"draft cost {after['draft']['cost']['amount']} USD")
    return 0


if __name__ == "__main__":
    sys.exit(main())
