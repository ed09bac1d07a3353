"""Contests end to end on a real database: the live leaderboard (ties, exclusions), the
storefront/dashboard selectors, and finalisation that awards prizes exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from contests_testing import at, code_of, publish, referred_order
from django.core import mail

from plugin.contests.models import Contest, ContestWinner
from plugin.contests.selectors import contest_rank, contest_standings
from plugin.contests.services import contests_refresh_for_referrer, contests_sync_published
from plugin.referrals.models import Referral
from plugin.rewards.models import Reward
from plugin.rewards.selectors import reward_view
from plugin.use_cases.contest_finalize import contest_finalize, contests_finalize_due

pytestmark = pytest.mark.django_db

PROGRAM = '''program "Spring" currency USD

on order paid when referred:
    give referrer 5 USD max 5 USD

contest "March top referrers" from 2026-03-01 to 2026-03-31:
    score {score}
    minimum {minimum}
    prize 1: 500 USD gift card
    prize 2..3: 100 USD gift card
    ties go to {ties}
'''


def contest_for(installation, *, score="referrals.paid.net_total", minimum="50 USD",
                ties="earliest") -> Contest:
    publish(installation, PROGRAM.format(score=score, minimum=minimum, ties=ties))
    (contest,) = contests_sync_published(installation=installation)
    return contest


def refresh_all(installation, *emails):
    for email in emails:
        contests_refresh_for_referrer(installation=installation, referrer_email=email)


def test_net_revenue_ranks_with_earliest_tie_break_and_leaves_out_void_and_fraud(
        captured_installation):
    shop = captured_installation
    contest = contest_for(shop)
    referred_order(shop, referrer="ann@x.com", referee="f1@x.com", total="120", paid=at(3))
    referred_order(shop, referrer="bob@x.com", referee="f2@x.com", total="120", paid=at(2))
    referred_order(shop, referrer="cat@x.com", referee="f3@x.com", total="80", paid=at(4))
    # big orders that must not count: cancelled, refunded, fraud-flagged, outside the window
    referred_order(shop, referrer="cat@x.com", referee="f4@x.com", total="900", paid=at(5),
                   status="cancelled")
    referred_order(shop, referrer="dan@x.com", referee="f5@x.com", total="900", paid=at(5),
                   status="refunded")
    referred_order(shop, referrer="eve@x.com", referee="f6@x.com", total="900", paid=at(5),
                   referral_status=Referral.Status.REFUSED)
    referred_order(shop, referrer="fay@x.com", referee="f7@x.com", total="900", paid=at(5),
                   referral_status=Referral.Status.REVIEW)
    referred_order(shop, referrer="gus@x.com", referee="f8@x.com", total="900",
                   paid=at(2, month=4))
    refresh_all(shop, *(f"{n}@x.com" for n in ("ann", "bob", "cat", "dan", "eve", "fay", "gus")))

    table = contest_standings(installation=shop, contest=contest, limit=10)
    assert [(s.rank, s.referrer_email, s.score) for s in table] == [
        (1, "bob@x.com", Decimal("120")),  # same score as ann, reached a day earlier
        (2, "ann@x.com", Decimal("120")),
        (3, "cat@x.com", Decimal("80")),
    ]
    assert [s.prize for s in table] == ["500 USD as gift card", "100 USD as gift card",
                                       "100 USD as gift card"]
    ann = contest_rank(installation=shop, contest="March top referrers", referrer="Ann@X.com")
    assert (ann.rank, ann.score, ann.qualifies) == (2, Decimal("120"), True)
    assert contest_rank(installation=shop, contest=contest, referrer="eve@x.com") is None


def test_latest_and_split_tie_breaks_and_the_minimum(captured_installation):
    shop = captured_installation
    contest = contest_for(shop, score="referrals.paid", minimum="2", ties="latest")
    for who, day in (("ann@x.com", 3), ("bob@x.com", 4)):
        referred_order(shop, referrer=who, referee=f"a-{who}", total="10", paid=at(day - 2))
        referred_order(shop, referrer=who, referee=f"b-{who}", total="10", paid=at(day))
    referred_order(shop, referrer="cat@x.com", referee="c1@x.com", total="10", paid=at(1))
    refresh_all(shop, "ann@x.com", "bob@x.com", "cat@x.com")
    table = contest_standings(installation=shop, contest=contest, limit=5)
    assert [(s.referrer_email, s.rank, s.qualifies) for s in table] == [
        ("bob@x.com", 1, True), ("ann@x.com", 2, True), ("cat@x.com", 3, False)]
    assert table[2].prize == ""  # below the minimum: no prize whatever the rank

    contest = contest_for(shop, score="referrals.paid", minimum="2", ties="split")
    refresh_all(shop, "ann@x.com", "bob@x.com", "cat@x.com")
    table = contest_standings(installation=shop, contest=contest, limit=5)
    assert [s.rank for s in table] == [1, 1, 3]
    assert contest_rank(installation=shop, contest=contest, referrer="bob@x.com").rank == 1


def test_live_leaderboard_follows_a_cancellation(captured_installation):
    shop = captured_installation
    contest = contest_for(shop)
    order = referred_order(shop, referrer="ann@x.com", referee="f1@x.com", total="200",
                           paid=at(3))
    referred_order(shop, referrer="bob@x.com", referee="f2@x.com", total="100", paid=at(3))
    refresh_all(shop, "ann@x.com", "bob@x.com")
    assert contest_rank(installation=shop, contest=contest, referrer="ann@x.com").rank == 1
    order.status = "cancelled"
    order.save()
    refresh_all(shop, "ann@x.com")
    assert [s.referrer_email for s in contest_standings(
        installation=shop, contest=contest, limit=10)] == ["bob@x.com"]


def test_finalisation_awards_prizes_once_held_in_the_ledger_and_mails_winners(
        captured_installation, settings, django_capture_on_commit_callbacks):
    settings.CONTEST_PRIZE_HOLD_DAYS = 3
    shop = captured_installation
    contest = contest_for(shop)
    for who, total in (("ann@x.com", "300"), ("bob@x.com", "200"), ("cat@x.com", "60"),
                       ("dan@x.com", "55"), ("eve@x.com", "40")):
        referred_order(shop, referrer=who, referee=f"friend-{who}", total=total, paid=at(10))
    code_of(shop, "ann@x.com").save()

    assert contest_finalize(contest=contest, now=at(31, 23)) == []  # not over yet
    with django_capture_on_commit_callbacks(execute=True):
        winners = contest_finalize(contest=contest, now=at(1, 1, month=4))
    assert [(w.rank, w.referrer_email) for w in winners] == [
        (1, "ann@x.com"), (2, "bob@x.com"), (3, "cat@x.com")]  # dan 4th, eve under the minimum
    rewards = {r.recipient_email: r for r in Reward.objects.filter(installation=shop)}
    assert {e: (r.amount, r.kind, r.trigger) for e, r in rewards.items()} == {
        "ann@x.com": (Decimal("500.000"), "money", "contest end"),
        "bob@x.com": (Decimal("100.000"), "money", "contest end"),
        "cat@x.com": (Decimal("100.000"), "money", "contest end"),
    }
    view = reward_view(reward=rewards["ann@x.com"])
    assert view.state == "held" and view.due_at == at(4, 1, month=4)
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@x.com", "bob@x.com", "cat@x.com"]
    assert "#1" in next(m.subject for m in mail.outbox if m.to == ["ann@x.com"])

    # the periodic task, a second run and a late order change nothing
    referred_order(shop, referrer="eve@x.com", referee="late@x.com", total="999", paid=at(30))
    with django_capture_on_commit_callbacks(execute=True):
        assert contests_finalize_due(now=at(2, month=4), installation=shop) == {
            "finalised": 0, "winners": 0}
        assert contest_finalize(contest=contest, now=at(3, month=4)) == []
    assert Reward.objects.filter(installation=shop).count() == 3
    assert ContestWinner.objects.filter(contest=contest).count() == 3
    assert len(mail.outbox) == 3
    contest.refresh_from_db()
    assert contest.status == Contest.Status.FINALISED


def test_split_ties_share_the_prizes_they_cover(captured_installation):
    shop = captured_installation
    contest = contest_for(shop, ties="split")
    for who in ("ann@x.com", "bob@x.com"):
        referred_order(shop, referrer=who, referee=f"f-{who}", total="100", paid=at(5))
    winners = contest_finalize(contest=contest, now=at(1, 1, month=4))
    assert [(w.rank, w.reward.amount) for w in winners] == [
        (1, Decimal("300.000")), (1, Decimal("300.000"))]  # (500 + 100) / 2 each


def test_contests_follow_the_published_program(captured_installation):
    shop = captured_installation
    contest = contest_for(shop)
    publish(shop, 'program "No contest" currency USD\n\non order paid when referred:\n'
                  '    give referrer 5 USD max 5 USD\n')
    assert contests_sync_published(installation=shop) == []
    contest.refresh_from_db()
    assert contest.status == Contest.Status.WITHDRAWN
    assert contests_finalize_due(now=at(1, month=5), installation=shop)["finalised"] == 0


def test_selectors_never_cross_installations(captured_installation):
    from plugin.install.models import Installation

    other = Installation.objects.create(saleor_api_url="https://other.example.com/graphql/")
    contest = contest_for(captured_installation)
    assert contest_standings(installation=other, contest=contest.pk, limit=10) == []
    assert contest_rank(installation=other, contest=contest, referrer="ann@x.com") is None


def test_net_revenue_subtracts_partial_refunds(captured_installation):
    from plugin.rewards.lifecycle import order_track_update

    shop = captured_installation
    contest = contest_for(shop, minimum="1 USD")
    order = referred_order(shop, referrer="ann@x.com", referee="f1@x.com", total="200",
                           paid=at(3))
    referred_order(shop, referrer="bob@x.com", referee="f2@x.com", total="150", paid=at(3))
    order_track_update(installation=shop, order_id=order.order_id, total=Decimal("200"),
                       refunded=Decimal("80"))
    refresh_all(shop, "ann@x.com", "bob@x.com")
    assert [(s.referrer_email, s.score) for s in contest_standings(
        installation=shop, contest=contest, limit=5)] == [
        ("bob@x.com", Decimal("150")), ("ann@x.com", Decimal("120"))]


def test_an_order_webhook_rescores_its_referrer_live(captured_installation):
    from types import SimpleNamespace

    from plugin.webhooks.handlers.contests import leaderboard_update
    from plugin.webhooks.registry import handlers_for

    shop = captured_installation
    contest = contest_for(shop)
    assert leaderboard_update in handlers_for("ORDER_FULLY_PAID")
    order = referred_order(shop, referrer="ann@x.com", referee="f1@x.com", total="90",
                           paid=at(3))
    assert contest_standings(installation=shop, contest=contest, limit=5) == []
    leaderboard_update(SimpleNamespace(installation=shop, event="ORDER_FULLY_PAID",
                                       payload={"order": {"id": order.order_id}}))
    assert [s.score for s in contest_standings(installation=shop, contest=contest, limit=5)] == [
        Decimal("90")]


def test_contests_finalize_command(captured_installation):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    contest = contest_for(captured_installation)
    referred_order(captured_installation, referrer="ann@x.com", referee="f@x.com", total="90",
                   paid=at(3))
    out = io.StringIO()
    call_command("contests_finalize", "--now", "2026-03-31T12:00:00+00:00", stdout=out)
    assert "finalised 0 contest(s)" in out.getvalue()
    call_command("contests_finalize", "--now", "2026-04-01T00:00:00+00:00", stdout=out)
    assert "finalised 1 contest(s), 1 prize winner(s)" in out.getvalue()
    contest.refresh_from_db()
    assert contest.status == Contest.Status.FINALISED
    with pytest.raises(CommandError, match="UTC offset"):
        call_command("contests_finalize", "--now", "yesterday")


@pytest.mark.parametrize("ties", ["earliest", "latest", "split"])
def test_every_entrants_rank_matches_the_standings(captured_installation, ties):
    """Ranks are counted from whichever side is smaller: both sides must agree with the table."""
    import random

    from plugin.contests.services import contest_rebuild

    shop = captured_installation
    contest = contest_for(shop, score="referrals.paid", minimum="1", ties=ties)
    rng = random.Random(3)
    for n in range(40):
        for friend in range(rng.choice([1, 1, 2, 3, 5])):
            referred_order(shop, referrer=f"r{n}@x.com", referee=f"f{n}-{friend}@x.com",
                           total="10", paid=at(rng.randrange(1, 28), rng.randrange(24)))
    assert contest_rebuild(contest=contest) == 40
    table = contest_standings(installation=shop, contest=contest, limit=100)
    assert len(table) == 40 and len({s.score for s in table}) < 40  # there are ties
    for standing in table:
        found = contest_rank(installation=shop, contest=contest, referrer=standing.referrer_email)
        assert found.rank == standing.rank, standing.referrer_email


def test_money_scores_stay_exact(captured_installation):
    shop = captured_installation
    contest = contest_for(shop, score="referrals.paid.total", minimum="0.01 USD")
    for n, total in enumerate(("0.10", "0.20", "1234567.89")):
        referred_order(shop, referrer="ann@x.com", referee=f"f{n}@x.com", total=total,
                       paid=at(3 + n))
    refresh_all(shop, "ann@x.com")
    (ann,) = contest_standings(installation=shop, contest=contest, limit=5)
    assert ann.score == Decimal("1234568.19") and ann.reached_at == at(5)
