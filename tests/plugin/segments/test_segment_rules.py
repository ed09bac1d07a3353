"""The segment rules: nearest-rank quintiles, scores at the cut points, each rule's edges, the
SQL form agreeing with the Python form, and a hand-built shop whose segments are known."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.segments.expressions import advocate_score_expression, segment_expression
from plugin.segments.models import CustomerSegment
from plugin.segments.rules import (
    SEGMENTS,
    advocate_score,
    quantile_cuts,
    score_against,
    segment_of,
)
from plugin.segments.selectors import customer_segment_get
from plugin.segments.services import segments_recompute
from tests.plugin.segments.history import START, order, referred_order


def test_quintile_cuts_are_values_of_the_list_at_nearest_rank():
    assert quantile_cuts(list(range(1, 11))) == [2, 4, 6, 8]
    assert quantile_cuts([7]) == [7, 7, 7, 7]
    # ranks ceil(0.6), ceil(1.2), ceil(1.8), ceil(2.4)
    assert quantile_cuts([1, 2, 3]) == [1, 2, 2, 3]
    assert quantile_cuts([]) == []
    money = [Decimal("10.0100"), Decimal("10.0200"), Decimal("99.9900")]
    assert quantile_cuts(money)[0] == Decimal("10.0100")


def test_a_value_equal_to_a_cut_scores_below_it_and_ties_share_a_score():
    cuts = [2, 4, 6, 8]
    assert [score_against(v, cuts) for v in (1, 2, 3, 4, 5, 8, 9)] == [1, 1, 2, 2, 3, 4, 5]
    # most customers bought once: every one-time buyer is F=1, a second order is already F=4
    once = [1, 1, 1, 2]
    assert (score_against(1, once), score_against(2, once), score_against(3, once)) == (1, 4, 5)


@pytest.mark.parametrize(("scores", "orders", "segment"), [
    ((4, 4, 4), 5, "champions"), ((5, 5, 5), 9, "champions"),
    ((3, 4, 4), 5, "loyal"),  # champions need R >= 4
    ((4, 4, 3), 5, "loyal"),  # ... and M >= 4
    ((3, 5, 1), 5, "loyal"),
    ((2, 5, 5), 9, "at_risk"),  # loyal needs R >= 3
    ((4, 1, 5), 1, "new"), ((5, 1, 1), 1, "new"),
    ((3, 1, 1), 1, "promising"),  # new needs R >= 4
    ((4, 3, 3), 2, "promising"), ((3, 3, 5), 3, "promising"),
    ((2, 3, 3), 2, "at_risk"), ((2, 1, 1), 1, "asleep"),  # at risk: a repeat customer
    ((1, 5, 5), 9, "asleep"), ((1, 1, 1), 1, "asleep"),
])
def test_each_rule_at_its_edges(scores, orders, segment):
    recency, frequency, monetary = scores
    assert segment_of(recency=recency, frequency=frequency, monetary=monetary,
                      orders=orders) == segment


def test_advocate_score_bounds_and_the_cap_on_converted_friends():
    best = advocate_score(segment="champions", frequency=5, monetary=5, converted=5)
    assert best == 100
    assert advocate_score(segment="champions", frequency=5, monetary=5, converted=40) == 100
    assert advocate_score(segment="asleep", frequency=1, monetary=1, converted=0) == 8
    assert advocate_score(segment="asleep", frequency=1, monetary=1, converted=3) == 26


@pytest.mark.django_db
def test_the_sql_form_of_the_rules_agrees_with_the_python_form(captured_installation):
    now = timezone.now()
    combos = list(itertools.product(range(1, 6), range(1, 6), range(1, 6), (1, 2, 7)))
    CustomerSegment.objects.bulk_create([CustomerSegment(
        installation=captured_installation, email=f"c{n}@x.com", orders=orders,
        first_order_at=now, last_order_at=now, currency="USD", monetary=1, computed_at=now,
        recency_score=r, frequency_score=f, monetary_score=m, converted=n % 8)
        for n, (r, f, m, orders) in enumerate(combos)])
    CustomerSegment.objects.update(segment=segment_expression(),
                                   advocate_score=advocate_score_expression())

    stored = CustomerSegment.objects.values_list("recency_score", "frequency_score",
                                                 "monetary_score", "orders", "converted",
                                                 "segment", "advocate_score")
    for r, f, m, orders, converted, segment, score in stored:
        assert segment == segment_of(recency=r, frequency=f, monetary=m, orders=orders)
        assert score == advocate_score(segment=segment, frequency=f, monetary=m,
                                       converted=converted)
    assert {row[5] for row in stored} == set(SEGMENTS)


@pytest.fixture
def ten_customers(captured_installation):
    """Ten customers whose scores can be worked out by hand (quintiles of 10: ranks 2,4,6,8)."""
    shop = captured_installation
    # last order days 10..100 by tens: c1 oldest ... c10 newest
    spend = ["5", "50", "20", "200", "10", "100", "40", "400", "30", "300"]
    orders = [1, 3, 1, 5, 1, 4, 2, 6, 1, 8]
    for n in range(10):
        email = f"c{n + 1}@x.com"
        last_day = 10 * (n + 1)
        per_order = Decimal(spend[n]) / orders[n]
        for k in range(orders[n]):
            order(shop, email, day=last_day - k, total=str(per_order))
    return shop


@pytest.mark.django_db
def test_a_hand_built_shop_gets_the_segments_worked_out_by_hand(ten_customers):
    segments_recompute(installation=ten_customers, now=START + timedelta(days=120))

    rows = {row.email: row for row in CustomerSegment.objects.filter(installation=ten_customers)}
    # recency cuts: last orders of c2, c4, c6, c8; orders sorted 1,1,1,1,2,3,4,5,6,8 -> cuts
    # 1,1,3,5; money sorted 5,10,20,30,40,50,100,200,300,400 -> cuts 10,30,50,200
    expected = {  # email: (R, F, M, segment)
        "c1@x.com": (1, 1, 1, "asleep"), "c2@x.com": (1, 3, 3, "asleep"),
        "c3@x.com": (2, 1, 2, "asleep"), "c4@x.com": (2, 4, 4, "at_risk"),
        "c5@x.com": (3, 1, 1, "promising"), "c6@x.com": (3, 4, 4, "loyal"),
        "c7@x.com": (4, 3, 3, "promising"), "c8@x.com": (4, 5, 5, "champions"),
        "c9@x.com": (5, 1, 2, "new"), "c10@x.com": (5, 5, 5, "champions"),
    }
    assert {email: (r.recency_score, r.frequency_score, r.monetary_score, r.segment)
            for email, r in rows.items()} == expected
    assert rows["c4@x.com"].orders == 5 and rows["c4@x.com"].monetary == Decimal("200")
    assert customer_segment_get(installation=ten_customers, email="C8@X.com") == "champions"


@pytest.mark.django_db
def test_cancelled_and_refunded_orders_do_not_count(captured_installation):
    shop = captured_installation
    order(shop, "a@x.com", day=1, total="30")
    order(shop, "a@x.com", day=2, total="500", status="cancelled")
    order(shop, "a@x.com", day=3, total="700", status="refunded")
    order(shop, "a@x.com", day=4, total="900", status="created")  # never paid
    order(shop, "only-refunds@x.com", day=5, status="refunded")

    segments_recompute(installation=shop, now=START + timedelta(days=10))

    row = CustomerSegment.objects.get(installation=shop, email="a@x.com")
    assert (row.orders, row.monetary, row.last_order_at) == (1, Decimal(30), START + timedelta(1))
    assert customer_segment_get(installation=shop, email="only-refunds@x.com") == ""


@pytest.mark.django_db
def test_monetary_is_scored_per_currency_in_the_latest_orders_currency(captured_installation):
    shop = captured_installation
    for n, amount in enumerate(["10", "20", "30", "40", "50"]):
        order(shop, f"usd{n}@x.com", day=n, total=amount)
    for n, amount in enumerate(["1000", "2000", "3000", "4000", "5000"]):
        order(shop, f"jpy{n}@x.com", day=n, total=amount, currency="JPY")
    order(shop, "both@x.com", day=1, total="5000", currency="JPY")
    order(shop, "both@x.com", day=8, total="60")

    segments_recompute(installation=shop, now=START + timedelta(days=10))

    rows = {r.email: r for r in CustomerSegment.objects.filter(installation=shop)}
    both = rows["both@x.com"]
    assert (both.currency, both.monetary, both.orders) == ("USD", Decimal(60), 2)
    assert both.monetary_score == 5  # above every USD customer; the yen do not mix in
    assert rows["jpy4@x.com"].monetary_score == 5 and rows["jpy0@x.com"].monetary_score == 1
    assert rows["usd0@x.com"].monetary_score == 1


@pytest.mark.django_db
def test_advocacy_counts_friends_conversions_and_their_revenue(captured_installation):
    shop = captured_installation
    order(shop, "ann@x.com", day=1, total="80")
    referred_order(shop, referrer="ann@x.com", referee="bo@x.com", day=2, total="25.50")
    referred_order(shop, referrer="ann@x.com", referee="cy@x.com", day=3, total="40")
    referred_order(shop, referrer="ann@x.com", referee="di@x.com", day=4, total="99",
                   status="created")  # not paid: asked, not converted
    referred_order(shop, referrer="ann@x.com", referee="ed@x.com", day=5, total="60",
                   currency="EUR")  # converted; revenue in another currency is not summed

    segments_recompute(installation=shop, now=START + timedelta(days=10))

    ann = CustomerSegment.objects.get(installation=shop, email="ann@x.com")
    assert (ann.referrals, ann.converted, ann.referred_revenue) == (4, 3, Decimal("65.50"))
    assert ann.advocate_score == advocate_score(
        segment=ann.segment, frequency=ann.frequency_score, monetary=ann.monetary_score,
        converted=3)


def test_the_language_knows_the_segments_the_app_computes():
    from rules.facts import SEGMENTS as LANGUAGE_SEGMENTS
    from rules.facts.schema import FACTS

    assert LANGUAGE_SEGMENTS == SEGMENTS
    assert set(FACTS["customer.segment"].values) == set(FACTS["referrer.segment"].values) == {
        *SEGMENTS, ""}
