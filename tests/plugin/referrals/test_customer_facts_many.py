"""The batched selectors (`customer_facts_many`, `referral_facts_many`) give exactly the per-order
selectors' facts, from one and two queries, on a generated history with customers, guests,
refunds, cancellations, several channels (and orders stored without one) and referrals in every
status."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.selectors import customer_facts, referral_facts
from plugin.referrals.selectors_many import customer_facts_many, referral_facts_many

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ["paid"] * 6 + ["fulfilled"] * 3 + ["refunded", "cancelled", "created"]
CHANNELS = ["web"] * 5 + ["mobile-app"] * 3 + ["eu", ""]  # "": stored before channels were kept


def _generate(installation, seed: int) -> list[CustomerOrder]:
    """300 orders of 12 registered customers (some changed e-mail, some share one) and 8 guests."""
    rng = random.Random(seed)
    registered = [(f"VXNlcjo{n}", f"user{n}@shop.test") for n in range(12)]
    guests = [("", f"guest{n}@shop.test") for n in range(8)]
    rows, moment = [], START
    for index in range(300):
        customer_id, email = rng.choice(registered + guests)
        if customer_id and rng.random() < 0.15:
            email = f"changed-{email}"  # same Saleor user, another address
        if rng.random() < 0.05:
            email = "shared@shop.test"  # one address used by several people
        moment += timedelta(hours=rng.randint(1, 96), seconds=index)  # distinct times
        status = rng.choice(STATUSES)
        rows.append(CustomerOrder(
            installation=installation, order_id=f"O-{seed}-{index}", customer_id=customer_id,
            email=email, channel=rng.choice(CHANNELS),
            total=Decimal(rng.randint(100, 50_000)) / 100,
            currency=rng.choice(["USD"] * 9 + ["EUR"]), status=status, created=moment,
            paid_at=None if status == "created" else moment + timedelta(minutes=5)))
    orders = CustomerOrder.objects.bulk_create(rows)
    _refer(installation, rng, orders, registered)
    return orders


def _refer(installation, rng: random.Random, orders, registered) -> None:
    """Three referrers (one a guest); a fifth of the orders referred, in every status."""
    owners = [*registered[:2], ("", "guest0@shop.test")]
    codes = [ReferralCode.objects.create(installation=installation, code=f"REF-{n}",
                                         owner_customer_id=owner_id, owner_email=email)
             for n, (owner_id, email) in enumerate(owners)]
    for order in orders:
        if rng.random() < 0.2:
            code = rng.choice(codes)
            order.referral = Referral.objects.create(
                installation=installation, code=code, referrer_id=code.owner_customer_id,
                referrer_email=code.owner_email, referee_email=order.email,
                source=Referral.Source.VOUCHER, order_id=order.order_id,
                status=rng.choice(list(Referral.Status)), created=order.created)
            order.save(update_fields=["referral"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batched_facts_equal_the_per_order_selector(installation, seed, django_assert_num_queries):
    orders = _generate(installation, seed)
    with django_assert_num_queries(1):
        batched = customer_facts_many(installation=installation, orders=orders)
    paid = [o for o in orders if o.paid_at is not None]
    assert set(batched) == {o.pk for o in paid}
    returning = elsewhere_too = 0
    for order in paid:
        one = customer_facts(installation=installation, customer_id=order.customer_id or None,
                             email=order.email, before=order.paid_at, currency=order.currency,
                             channel=order.channel)
        assert batched[order.pk] == one, order.order_id
        returning += not one.is_new
        elsewhere_too += 0 < one.orders_in_channel < one.orders
    assert returning > len(paid) // 2  # the histories are long enough to test something
    assert elsewhere_too > len(paid) // 4  # and mix channels: the channel count is tested


def test_a_guest_without_email_has_no_history(installation):
    orders = CustomerOrder.objects.bulk_create([
        CustomerOrder(installation=installation, order_id=f"G-{n}", email="", total=Decimal(10),
                      currency="USD", status="paid", paid_at=START + timedelta(days=n))
        for n in range(3)
    ])
    batched = customer_facts_many(installation=installation, orders=orders)
    assert all(facts.is_new and facts.orders == 0 for facts in batched.values())
    assert batched[orders[2].pk] == customer_facts(
        installation=installation, customer_id=None, email="", before=orders[2].paid_at,
        currency="USD")


@pytest.mark.parametrize("seed", [4, 5])
def test_batched_referral_facts_equal_the_per_order_selector(
    installation, seed, django_assert_num_queries
):
    _generate(installation, seed)
    orders = list(CustomerOrder.objects.filter(installation=installation)
                  .select_related("referral__code"))
    with django_assert_num_queries(2):
        batched = referral_facts_many(installation=installation, orders=orders)
    referred = 0
    for order in orders:
        if order.paid_at is None:
            assert order.pk not in batched
            continue
        one = referral_facts(installation=installation, referral=order.referral,
                             now=order.paid_at)
        assert batched[order.pk] == one, order.order_id
        referred += one.is_referred and one.referrer.orders > 0
    assert referred > 10  # referred orders whose referrer has a history of their own
