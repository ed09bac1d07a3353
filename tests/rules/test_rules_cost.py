"""Worst-case costs: the larger branch, sums of rewards, caps; always a bound, never a guess."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.checker.cost import MAX_TERMS, Cost, max_cost

amounts = st.decimals(min_value=0, max_value=10_000, places=2)
costs = st.builds(lambda terms: Cost(terms=tuple(terms)),
                  st.lists(st.tuples(amounts, st.decimals(min_value=0, max_value=200, places=1)),
                           min_size=1, max_size=12))


@settings(max_examples=300, database=None, deadline=None)  # a busy CI machine is no defect
@given(costs, costs, amounts)
def test_branches_take_the_larger_and_rewards_add_up(a, b, total):
    assert max_cost(a, b).at(total) == max(a.at(total), b.at(total))
    assert (a + b).at(total) >= a.at(total) + b.at(total)  # exact unless alternatives merged
    assert len((a + b).terms) <= MAX_TERMS


@settings(max_examples=300, database=None, deadline=None)  # a busy CI machine is no defect
@given(costs, amounts, st.decimals(min_value=0, max_value=100, places=0), amounts)
def test_caps_bound_every_order(cost, cap, percent, total):
    # What is within the cost and within the cap is within the capped cost; it never grows.
    within = min(cost.at(total), cap)
    for capped in (cost.capped(cap), cost.amounts_capped(cap)):
        assert within <= capped.at(total) <= cap
    share = percent * total / 100
    by_share = cost.capped_percent(percent).at(total)
    assert min(cost.at(total), share) <= by_share
    assert by_share <= cost.at(total) or by_share == share


def test_the_texts():
    larger = max_cost(Cost(Decimal(50)), Cost(percent=Decimal(20)))
    assert larger.text("USD") == "the larger of 50 USD and 20% of order total"
    assert (Cost(Decimal(20)) + Cost(percent=Decimal(20))).text("USD") == (
        "20 USD + 20% of order total")
    voucher = Cost(next_order=Decimal(20), extras=frozenset({'free product "tote"'}))
    assert voucher.text("USD") == '20% of the next order + free product "tote"'
    assert not voucher.money_only and Cost(Decimal(5)).money_only
    assert Cost(unbounded=True).capped(Decimal(30)).text("EUR") == "30 EUR"
    assert Cost(unbounded=True).at(Decimal(100)) is None
