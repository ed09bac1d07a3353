"""Segments kept current by order webhooks equal a full recompute: any stream of orders paid,
cancelled, refunded or referred, applied one delivery at a time, leaves every customer's row as
a full recompute over the same cut points writes it; other shops are never touched."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.install.models import Installation
from plugin.referrals.models import Referral
from plugin.referrals.services import customer_order_record
from plugin.segments.cuts import cuts_get
from plugin.segments.models import CustomerSegment
from plugin.segments.services import segments_recompute
from plugin.webhooks.handlers.segments import order_event_segments
from plugin.webhooks.registry import handlers_for
from tests.plugin.hostile_json import bounded
from tests.plugin.segments.history import START, code_of, order

pytestmark = pytest.mark.django_db
_shops = itertools.count(1)
CUSTOMERS = [f"c{n}@x.com" for n in range(6)]
EVENT_OF = {"paid": "ORDER_FULLY_PAID", "cancelled": "ORDER_CANCELLED",
            "refunded": "ORDER_FULLY_REFUNDED", "created": "ORDER_CREATED"}
COMPARED = ("email", "customer_id", "orders", "first_order_at", "last_order_at", "currency",
            "monetary", "recency_score", "frequency_score", "monetary_score", "segment",
            "referrals", "converted", "referred_revenue", "advocate_score")


def new_shop() -> Installation:
    n = next(_shops)
    return Installation.objects.create(saleor_api_url=f"https://seg-{n}.example.com/graphql/",
                                       domain=f"seg-{n}.example.com", app_id=f"app-{n}")


def rows_of(shop) -> list[tuple]:
    return list(CustomerSegment.objects.filter(installation=shop).order_by("email")
                .values_list(*COMPARED))


def payload(order_id: str, email: str, day: int, total: str, currency: str, paid: bool) -> dict:
    when = START + timedelta(days=day)
    return {"id": order_id, "userEmail": email, "isPaid": paid, "created": when.isoformat(),
            "channel": {"slug": "default-channel", "currencyCode": currency},
            "total": {"gross": {"amount": float(total), "currency": currency}}}


def deliver(shop, order_payload: dict, status: str, day: int) -> None:
    """What the order webhooks do: record the order, then run the segments handler."""
    customer_order_record(installation=shop, order_payload=order_payload, status=status,
                          at=START + timedelta(days=day))
    delivery = SimpleNamespace(installation=shop, event=EVENT_OF[status],
                               payload={"order": order_payload})
    order_event_segments(delivery)


customers = st.sampled_from(CUSTOMERS)
new_order = st.tuples(st.just("new"), customers, st.integers(0, 90),
                      st.sampled_from(["5", "19.99", "40", "250"]),
                      st.sampled_from(["USD", "USD", "EUR"]),
                      st.sampled_from(["paid", "paid", "created"]),
                      st.one_of(st.none(), customers))  # the referrer, if referred
change = st.tuples(st.just("change"), st.integers(0, 50),
                   st.sampled_from(["paid", "cancelled", "refunded"]), st.integers(0, 90))
streams = st.lists(st.one_of(new_order, change), min_size=1, max_size=14)
seeds = st.lists(st.tuples(customers, st.integers(0, 90), st.sampled_from(["10", "80"])),
                 max_size=6)


def apply(shop, stream) -> None:
    placed: list[tuple[dict, int]] = []
    for step in stream:
        if step[0] == "new":
            _, email, day, total, currency, status, referrer = step
            order_id = f"T3JkZXI6{shop.pk}-{len(placed)}"
            body = payload(order_id, email, day, total, currency, status == "paid")
            if referrer is not None and referrer != email:
                Referral.objects.create(
                    installation=shop, code=code_of(shop, referrer), referrer_email=referrer,
                    referee_email=email, source=Referral.Source.VOUCHER, order_id=order_id,
                    created=START + timedelta(days=day))
            placed.append((body, day))
            deliver(shop, body, status, day)
        elif placed:
            _, index, status, later = step
            body, day = placed[index % len(placed)]
            deliver(shop, {**body, "isPaid": body["isPaid"] or status == "paid"}, status,
                    day + later)


@bounded(30)
@given(seed=seeds, stream=streams)
def test_webhook_updates_equal_a_full_recompute_over_the_same_cuts(seed, stream):
    shop, neighbour = new_shop(), new_shop()
    for email, day, total in seed:
        order(shop, email, day=day, total=total)
        order(neighbour, email, day=day, total=total)
    segments_recompute(installation=shop, now=START)
    segments_recompute(installation=neighbour, now=START)
    neighbour_before = rows_of(neighbour)

    apply(shop, stream)
    incremental = rows_of(shop)
    cuts_before = cuts_get(installation=shop)
    segments_recompute(installation=shop, now=START + timedelta(days=200), remeasure=False)

    assert rows_of(shop) == incremental
    assert cuts_get(installation=shop).recency == cuts_before.recency
    assert rows_of(neighbour) == neighbour_before


@bounded(20)
@given(stream=streams)
def test_order_figures_after_webhooks_equal_a_fresh_full_run(stream):
    """Remeasured cut points move scores, never the figures themselves."""
    shop = new_shop()
    apply(shop, stream)
    figures = [row[:7] + row[11:14] for row in rows_of(shop)]

    segments_recompute(installation=shop, now=START + timedelta(days=200))

    assert [row[:7] + row[11:14] for row in rows_of(shop)] == figures


def test_the_first_delivery_of_a_shop_without_cut_points_computes_it_whole():
    shop = new_shop()
    order(shop, "old@x.com", day=1, total="30")  # imported history, never computed

    deliver(shop, payload("T3JkZXI6first", "ann@x.com", 5, "40", "USD", True), "paid", 5)

    assert {row[0] for row in rows_of(shop)} == {"ann@x.com", "old@x.com"}
    assert cuts_get(installation=shop).customers == 2


def test_the_handler_runs_after_the_history_is_recorded_for_every_order_event():
    from plugin.webhooks.handlers.rewards import order_event_handle

    for event in ("ORDER_PAID", "ORDER_FULLY_PAID", "ORDER_CANCELLED", "ORDER_REFUNDED",
                  "ORDER_FULLY_REFUNDED"):
        handlers = handlers_for(event)
        assert handlers.index(order_event_handle) < handlers.index(order_event_segments)


def test_a_captured_paid_order_delivery_puts_its_buyer_in_a_segment(
        captured_installation, fake_saleor, send):
    from plugin.saleor.captures import captured_delivery

    delivery = captured_delivery("ORDER_FULLY_PAID")
    send([delivery])

    buyer = CustomerSegment.objects.get(installation=captured_installation)
    assert buyer.orders == 1 and buyer.segment  # the shop's only customer, scored
