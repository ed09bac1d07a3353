"""Contests driven by the program's own words: voucher prizes, `entrants … where` conditions and
`on contest end` rules, all through the reward ledger exactly once, on a real database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from contests_testing import at, publish, referred_order

from plugin.contests.models import Contest, ContestEntry
from plugin.contests.selectors import contest_rank, contest_standings
from plugin.contests.services import contests_refresh_for_referrer, contests_sync_published
from plugin.referrals.services import customer_order_record
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.models import OutboxItem, PointsEntry, Reward
from plugin.use_cases.contest_finalize import contest_finalize

pytestmark = pytest.mark.django_db

VOUCHERS = '''program "Spring" currency USD

contest "March" from 2026-03-01 to 2026-03-31:
    score referrals.paid
    prize 1: 30% off next order expires 30 days
    prize 2: 20 USD off next order
    prize 3: free shipping
'''

ENTRANTS = '''program "Spring" currency USD

contest "March" from 2026-03-01 to 2026-03-31:
    entrants referrers where {condition}
    score referrals.paid
    prize 1: 100 points
'''

END_RULES = '''program "Spring" currency USD

contest "March" from 2026-03-01 to 2026-03-31:
    score referrals.paid
    prize 1: 500 points

on contest end "March":
    if contest.rank <= 2:
        give referrer 100 points

on contest end "March" when contest.score >= 2 and contest.entrants >= 3:
    give referrer 5 USD off next order expires 14 days

on contest end "April":
    give referrer 999 points

contest "April" from 2026-04-01 to 2026-04-30:
    score referrals.paid
    prize 1: 1 points
'''


def contest_of(shop, source: str, name: str = "March") -> Contest:
    publish(shop, source)
    return next(c for c in contests_sync_published(installation=shop) if c.name == name)


def friends(shop, referrer: str, count: int, day: int = 10) -> None:
    for n in range(count):
        referred_order(shop, referrer=referrer, referee=f"f{n}-{referrer}", total="80",
                       paid=at(day, 8 + n))


def own_order(shop, email: str, total: str, day: int) -> None:
    """The referrer's own paid order, as the order webhooks record it."""
    customer_order_record(installation=shop, order_payload={
        "id": f"T3duOj{email}{day}", "number": "9", "userEmail": email,
        "created": at(day).isoformat(), "isPaid": True,
        "channel": {"slug": "default-channel", "currencyCode": "USD"},
        "total": {"gross": {"amount": float(total), "currency": "USD"}},
    }, status="paid", at=at(day))


def test_voucher_prizes_are_issued_once_with_their_full_value(captured_installation):
    shop = captured_installation
    contest = contest_of(shop, VOUCHERS)
    friends(shop, "ann@x.com", 3)
    friends(shop, "bob@x.com", 2)
    friends(shop, "cat@x.com", 1)

    winners = contest_finalize(contest=contest, now=at(1, 1, month=4))
    assert [(w.rank, w.referrer_email, w.note) for w in winners] == [
        (1, "ann@x.com", ""), (2, "bob@x.com", ""), (3, "cat@x.com", "")]
    rewards = {r.recipient_email: r for r in Reward.objects.filter(installation=shop)}
    assert {e: (r.kind, r.voucher_type, r.percent, r.amount, r.currency, r.expires_days)
            for e, r in rewards.items()} == {
        "ann@x.com": ("voucher", "percent", Decimal("30.000"), None, "USD", 30),
        "bob@x.com": ("voucher", "fixed", None, Decimal("20.000"), "USD", None),
        "cat@x.com": ("voucher", "free_shipping", None, None, "USD", None),
    }
    assert contest_finalize(contest=contest, now=at(2, 1, month=4)) == []
    assert Reward.objects.filter(installation=shop).count() == 3

    rewards_release(installation=shop, now=at(1, 2, month=4))
    payloads = {o.reward.recipient_email: o.payload for o in OutboxItem.objects.filter(
        installation=shop, action="voucher_issue")}
    assert (payloads["ann@x.com"]["value_type"], payloads["ann@x.com"]["value"]) == (
        "PERCENTAGE", "30.000")
    assert payloads["ann@x.com"]["end_date"] == "2026-05-01"
    assert (payloads["bob@x.com"]["value_type"], payloads["bob@x.com"]["value"]) == (
        "FIXED", "20.000")
    assert payloads["cat@x.com"]["voucher_type"] == "free_shipping"
    rewards_release(installation=shop, now=at(3, 2, month=4))
    assert OutboxItem.objects.filter(installation=shop).count() == 3


def test_entrants_failing_the_condition_are_left_off_the_leaderboard(captured_installation):
    shop = captured_installation
    contest = contest_of(shop, ENTRANTS.format(condition="referrer.orders >= 1"))
    friends(shop, "ann@x.com", 1)
    friends(shop, "bob@x.com", 3)  # more friends, but never bought anything himself
    own_order(shop, "ann@x.com", "40", day=2)
    contests_refresh_for_referrer(installation=shop, referrer_email="ann@x.com")
    contests_refresh_for_referrer(installation=shop, referrer_email="bob@x.com")
    assert [s.referrer_email for s in contest_standings(installation=shop, contest=contest)] == [
        "ann@x.com"]
    assert contest_rank(installation=shop, contest=contest, referrer="bob@x.com") is None

    own_order(shop, "bob@x.com", "15", day=20)  # bob qualifies from now on, live
    contests_refresh_for_referrer(installation=shop, referrer_email="bob@x.com")
    assert [s.referrer_email for s in contest_standings(installation=shop, contest=contest)] == [
        "bob@x.com", "ann@x.com"]

    winners = contest_finalize(contest=contest, now=at(1, 1, month=4))
    assert [w.referrer_email for w in winners] == ["bob@x.com"]


def test_an_entrant_condition_on_money_and_referrals_rebuilds_the_table(captured_installation):
    shop = captured_installation
    friends(shop, "ann@x.com", 2)
    friends(shop, "bob@x.com", 1)
    own_order(shop, "ann@x.com", "60", day=2)
    own_order(shop, "bob@x.com", "90", day=2)
    contest = contest_of(shop, ENTRANTS.format(
        condition="referrer.total_spent >= 50 USD and referrer.paid_referrals >= 2"))
    assert contest.entrant_count == 1
    assert list(ContestEntry.objects.filter(contest=contest).values_list(
        "referrer_email", flat=True)) == ["ann@x.com"]

    # a new version without the condition lets every referrer in again
    contest = contest_of(shop, ENTRANTS.format(condition="true"))
    assert contest.entrant_count == 2


def test_contest_end_rules_reward_by_rank_and_score_exactly_once(captured_installation):
    shop = captured_installation
    contest = contest_of(shop, END_RULES)
    friends(shop, "ann@x.com", 3)
    friends(shop, "bob@x.com", 2, day=11)
    friends(shop, "cat@x.com", 1, day=12)

    contest_finalize(contest=contest, now=at(1, 1, month=4))
    decided = sorted(
        (r.recipient_email, r.kind, r.points, r.voucher_type, r.amount, r.expires_days)
        for r in Reward.objects.filter(installation=shop, trigger="contest end")
        .exclude(rule_label__startswith="contest March: rank"))
    assert decided == [
        ("ann@x.com", "points", 100, "", None, None),
        ("ann@x.com", "voucher", None, "fixed", Decimal("5.000"), 14),
        ("bob@x.com", "points", 100, "", None, None),
        ("bob@x.com", "voucher", None, "fixed", Decimal("5.000"), 14),
    ]  # cat ranks 3rd with score 1: neither rule; the April rule never runs for March
    assert Reward.objects.filter(installation=shop).count() == 5  # + ann's 500 points prize

    assert contest_finalize(contest=contest, now=at(2, 1, month=4)) == []
    assert Reward.objects.filter(installation=shop).count() == 5

    rewards_release(installation=shop, now=at(1, 2, month=4))
    credited = dict(PointsEntry.objects.filter(installation=shop).values_list("email", "points")
                    .order_by("points"))
    assert sum(PointsEntry.objects.filter(installation=shop, email="ann@x.com")
               .values_list("points", flat=True)) == 600
    assert credited["bob@x.com"] == 100


def test_a_referrers_own_order_webhook_lets_them_in_live(captured_installation):
    from types import SimpleNamespace

    from plugin.referrals.models import CustomerOrder
    from plugin.webhooks.handlers.contests import leaderboard_update

    shop = captured_installation
    contest = contest_of(shop, ENTRANTS.format(condition="referrer.orders >= 1"))
    friends(shop, "ann@x.com", 2)
    contests_refresh_for_referrer(installation=shop, referrer_email="ann@x.com")
    assert contest_standings(installation=shop, contest=contest) == []

    own_order(shop, "ann@x.com", "30", day=4)
    order_id = CustomerOrder.objects.get(installation=shop, email="ann@x.com").order_id
    leaderboard_update(SimpleNamespace(installation=shop, event="ORDER_FULLY_PAID",
                                       payload={"order": {"id": order_id}}))
    assert [(s.referrer_email, s.score) for s in contest_standings(
        installation=shop, contest=contest)] == [("ann@x.com", Decimal("2"))]


def test_entrant_facts_in_bulk_are_those_of_one_entrant_at_a_time(captured_installation):
    from plugin.contests.entrants import entrant_referrer_facts, entrants_referrer_facts
    from plugin.referrals.models import ReferralCode

    shop = captured_installation
    contest = contest_of(shop, ENTRANTS.format(condition="referrer.orders >= 1"))
    friends(shop, "ann@x.com", 2)
    friends(shop, "bob@x.com", 1)
    own_order(shop, "ann@x.com", "40", day=2)
    own_order(shop, "ann@x.com", "25", day=6)
    own_order(shop, "bob@x.com", "70", day=3)
    customer_order_record(installation=shop, order_payload={  # bob's, known by his user id
        "id": "T3JkZXI6Ym9iLWlk", "number": "7", "userEmail": "robert@other.com",
        "user": {"id": "user-bob@x.com", "email": "robert@other.com"},
        "created": at(4).isoformat(), "isPaid": True,
        "channel": {"slug": "default-channel", "currencyCode": "USD"},
        "total": {"gross": {"amount": 12.5, "currency": "USD"}},
    }, status="paid", at=at(4))
    own_order(shop, "ann@x.com", "99", day=28)  # after `now`: not yet seen
    ReferralCode.objects.filter(owner_email="bob@x.com").update(active=False)
    entrants = [("ann@x.com", "user-ann@x.com"), ("bob@x.com", "user-bob@x.com"),
                ("nobody@x.com", "")]
    now = at(20)
    bulk = entrants_referrer_facts(contest=contest, entrants=entrants, now=now)
    one_by_one = {email: entrant_referrer_facts(contest=contest, referrer_email=email,
                                                referrer_id=rid, now=now)
                  for email, rid in entrants}
    assert bulk == one_by_one
    assert (bulk["ann@x.com"].orders, bulk["bob@x.com"].orders, bulk["nobody@x.com"].orders) == (
        2, 2, 0)
    assert bulk["ann@x.com"].referrals == 2
