"""The backtest streams stored orders as plain rows and builds each order's facts itself: order by
order they equal what the per-order selectors give (customer history, referral, referrer,
segments), for
the latest `count` paid orders only, oldest first, ties in payment time included; and a long
job writes its progress a bounded number of times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugin.dashboard import backtest
from plugin.dashboard.backtest_sources import stored_orders
from plugin.dashboard.models import BacktestJob
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.order_lines import stored_order_facts
from plugin.referrals.selectors import customer_facts, referral_facts
from plugin.segments.selectors import facts_with_segments
from plugin.segments.tasks import segments_recompute_all
from rules.facts import Facts, ReferralFacts, Trigger
from rules.facts.money import MoneyError

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 1, tzinfo=UTC)
PRODUCTS = [("ascii-tee", "t-shirts", "18.00"), ("apple-juice", "juices", "1.79"),
            ("monospace-hoodie", "sweatshirts", "45.00")]
STATUSES = ["paid"] * 6 + ["fulfilled"] * 2 + ["refunded", "cancelled", "created"]
DRAFT = """program "Stream" currency USD

rule "first" on order paid when customer.orders == 0 and order_total >= 30 USD:
    give customer 5 USD

rule "tees" on order paid when any(lines where line.category == "t-shirts"):
    give customer 1 USD * sum(line.quantity for line in lines where line.category == "t-shirts")

rule "referred" on order paid when referred and referrer.orders >= 1:
    give referrer 10% of order_total max 20 USD
"""


def _lines(rng: random.Random) -> tuple[list[dict], Decimal]:
    lines, subtotal = [], Decimal(0)
    for product, category, price in rng.sample(PRODUCTS, rng.randint(1, 2)):
        quantity = rng.randint(1, 3)
        subtotal += Decimal(price) * quantity
        lines.append({"product": product, "sku": None, "name": product, "variant_id": None,
                      "category": category, "collections": ["summer"], "quantity": quantity,
                      "unit_price": price, "total": str(Decimal(price) * quantity)})
    return lines, subtotal


def _generate(shop, seed: int) -> None:
    """200 orders of 8 registered customers (some changed e-mail) and 5 guests, in two
    currencies and three channels; a fifth referred through three codes in every status; some
    paid at the very same moment; one with lines that cannot be read."""
    rng = random.Random(seed)
    people = [(f"VXNlcjo{n}", f"user{n}@shop.test") for n in range(8)]
    people += [("", f"guest{n}@shop.test") for n in range(5)]
    owners = [people[0], people[1], people[9]]
    codes = [ReferralCode.objects.create(installation=shop, code=f"REF-{n}",
                                         owner_customer_id=owner_id, owner_email=email)
             for n, (owner_id, email) in enumerate(owners)]
    rows, moment = [], START
    for index in range(200):
        customer_id, email = rng.choice(people)
        if customer_id and rng.random() < 0.15:
            email = f"changed-{email}"
        if rng.random() > 0.1:  # a tenth paid in the same second as the order before
            moment += timedelta(hours=rng.randint(1, 72))
        status = rng.choice(STATUSES)
        lines, subtotal = _lines(rng)
        if index == 17:
            lines[0]["quantity"] = None  # unreadable: the order is skipped, not the backtest
        rows.append(CustomerOrder(
            installation=shop, order_id=f"O-{seed}-{index}", number=str(index),
            customer_id=customer_id, email=email, channel=rng.choice(["web", "app", ""]),
            total=subtotal + 5, subtotal=subtotal, shipping=Decimal(5),
            currency=rng.choice(["USD"] * 9 + ["EUR"]), status=status, created=moment, lines=lines,
            paid_at=None if status == "created" else moment + timedelta(minutes=1)))
    for order in CustomerOrder.objects.bulk_create(rows):
        if rng.random() < 0.2:
            code = rng.choice(codes)
            order.referral = Referral.objects.create(
                installation=shop, code=code, referrer_id=code.owner_customer_id,
                referrer_email=code.owner_email, referee_email=order.email,
                source=Referral.Source.VOUCHER, order_id=order.order_id,
                status=rng.choice(list(Referral.Status)), created=order.created)
            order.save(update_fields=["referral"])


def _expected(shop, count: int, assume_referred: bool) -> list[Facts | None]:
    """The facts of the latest `count` paid orders from the per-order selectors."""
    rows = list(CustomerOrder.objects.filter(installation=shop, paid_at__isnull=False)
                .exclude(status=CustomerOrder.Status.CANCELLED)
                .select_related("referral__code").order_by("-paid_at", "-id")[:count])
    found: list[Facts | None] = []
    for row in reversed(rows):
        try:
            order = stored_order_facts(row)
        except MoneyError:
            found.append(None)
            continue
        referral = referral_facts(installation=shop, referral=row.referral,
                                  now=row.paid_at)
        if assume_referred and not referral.is_referred:
            referral = ReferralFacts(is_referred=True, days_since=0)
        found.append(facts_with_segments(installation=shop, facts=Facts(
            trigger=Trigger.ORDER_PAID, now=row.paid_at, channel=order.channel,
            currency=row.currency, order=order,
            customer=customer_facts(installation=shop,
                                    customer_id=row.customer_id or None, email=row.email,
                                    before=row.paid_at, currency=row.currency,
                                    channel=row.channel),
            referral=referral)))
    return found


@pytest.mark.parametrize(("seed", "count", "assume_referred"),
                         [(1, 1000, False), (2, 60, False), (3, 97, True)])
def test_streamed_facts_equal_the_per_order_selectors(shop, seed, count,
                                                      assume_referred):
    _generate(shop, seed)
    segments_recompute_all(now=START + timedelta(days=400))  # segments as the shop has them now
    with CaptureQueriesContext(connection) as queries:
        streamed = list(stored_orders(installation=shop, count=count,
                                      assume_referred=assume_referred))
    expected = _expected(shop, count, assume_referred)
    assert [facts for _, facts in streamed] == expected
    assert {total for total, _ in streamed} == {len(expected)}
    assert len(queries) <= 6  # however many orders: no query per order
    segments = {f.customer.segment for f in expected if f is not None}
    assert len(segments) >= 3  # the stream and the selectors agree on real segments
    facts = [f for f in expected if f is not None]
    assert None in expected or count < 150  # the unreadable order is among the first ones
    assert sum(f.referral.referrer.orders > 0 for f in facts if f.referral.code) > 3
    assert sum(f.customer.orders > 0 for f in facts) > len(facts) // 2


def test_a_stream_cut_inside_a_tie_takes_the_later_rows_of_the_same_moment(shop):
    paid = START + timedelta(days=3)
    CustomerOrder.objects.bulk_create([
        CustomerOrder(installation=shop, order_id=f"T-{n}", email=f"t{n}@shop.test",
                      total=Decimal(10 + n), currency="USD", status="paid", paid_at=paid)
        for n in range(5)])
    streamed = list(stored_orders(installation=shop, count=3, assume_referred=False))
    assert [facts.order.id for _, facts in streamed] == ["T-2", "T-3", "T-4"]
    assert {total for total, _ in streamed} == {3}


def test_a_long_backtest_writes_its_progress_a_bounded_number_of_times(
    shop, monkeypatch
):
    _generate(shop, 4)
    monkeypatch.setattr(backtest, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(backtest, "PROGRESS_STEPS", 10)
    job = BacktestJob.objects.create(installation=shop, draft_source=DRAFT,
                                     draft_hash="stream", requested=150,
                                     created_by_email="ann@shop.test")
    with CaptureQueriesContext(connection) as queries:
        backtest.backtest_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BacktestJob.Status.DONE, job.error
    assert job.processed == job.total == 150
    writes = [q for q in queries if q["sql"].startswith('UPDATE "dashboard_backtestjob"')]
    # running, the first order, then every tenth of the job, and done
    assert 10 <= len(writes) <= 13
