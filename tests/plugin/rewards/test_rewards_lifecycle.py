"""Hold, release, partial refunds, voids, clawback and debt, review: the life of a reward."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from rewards_testing import T0

from plugin.rewards.lifecycle import (
    order_rewards_reconcile,
    order_track_update,
    reward_review_approve,
    rewards_release,
)
from plugin.rewards.models import AppendOnlyError, DebtEntry, RewardState
from plugin.rewards.outbox import outbox_process
from plugin.rewards.selectors import (
    debt_outstanding,
    points_balance,
    reward_latest_entry,
    rewards_for_customer,
    rewards_for_review,
)
from plugin.rewards.services import RewardError, reward_review_reject
from rules.facts.money import Money

pytestmark = pytest.mark.django_db
ORDER_TOTAL = Decimal("84.99")  # order #21


def _learn(installation, order_id="order-1", now=T0 + timedelta(days=1), **facts):
    order_track_update(
        installation=installation, order_id=order_id, currency="USD", total=ORDER_TOTAL, **facts
    )
    order_rewards_reconcile(installation=installation, order_id=order_id, now=now)


def _states(reward):
    return [(e.action, e.state, e.amount) for e in reward.entries.order_by("seq")]


def test_held_after_fulfilment_plus_window_then_released(make_reward, captured_installation):
    reward = make_reward(hold_days=30)
    _learn(captured_installation, paid_at=T0)
    assert reward_latest_entry(reward=reward).state == RewardState.PENDING  # waits for fulfilment
    _learn(captured_installation, fulfilled_at=T0 + timedelta(hours=1))
    held = reward_latest_entry(reward=reward)
    assert held.state == RewardState.HELD
    assert held.due_at == T0 + timedelta(days=30, hours=1)
    assert rewards_release(installation=captured_installation, now=T0 + timedelta(days=30)) == []
    assert rewards_release(installation=captured_installation, now=T0 + timedelta(days=31)) == [
        reward
    ]
    assert [s for _, s, _ in _states(reward)] == ["pending", "held", "issuing"]


def test_partial_refund_reduces_in_proportion_and_cancel_voids(make_reward, captured_installation):
    reward = make_reward(amount="20.00")
    _learn(captured_installation, paid_at=T0, refunded=Decimal("21.25"))
    # 20.00 x (1 - 21.25 / 84.99) = 14.999... -> 15.00
    assert reward_latest_entry(reward=reward).amount == Decimal("15.00")
    _learn(captured_installation, refunded=Decimal("10.00"))  # an older, smaller refund: no change
    assert reward_latest_entry(reward=reward).amount == Decimal("15.00")
    _learn(captured_installation, voided_at=T0, void_reason="cancelled")
    assert _states(reward) == [
        ("decided", "pending", Decimal("20.000")),
        ("reduced", "pending", Decimal("15.000")),
        ("voided", "voided", Decimal("0.000")),
    ]
    _learn(captured_installation, fulfilled_at=T0)  # nothing revives a voided reward
    assert len(_states(reward)) == 3


def test_ledger_rows_cannot_be_rewritten(make_reward):
    reward = make_reward()
    entry = reward_latest_entry(reward=reward)
    entry.state = RewardState.ISSUED
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        reward.save()


def _issue(make_reward, installation, client_for, **options):
    reward = make_reward(hold_after="payment", **options)
    _learn(installation, order_id=reward.order_id, paid_at=T0)
    rewards_release(installation=installation, now=T0 + timedelta(days=2))
    outbox_process(client_for=client_for, now=T0 + timedelta(days=2))
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUED
    return reward


def test_refund_after_issue_claws_back_from_the_gift_card(
    make_reward, shop, client_for, captured_installation
):
    reward = _issue(make_reward, captured_installation, client_for, amount="20.00")
    card_id = reward_latest_entry(reward=reward).details["gift_card_id"]
    _learn(captured_installation, refunded=Decimal("21.25"))
    outbox_process(client_for=client_for, now=T0 + timedelta(days=3))
    assert shop.balance(card_id) == Decimal("15.00")
    latest = reward_latest_entry(reward=reward)
    assert (latest.action, latest.state, latest.amount) == (
        "clawed_back",
        "issued",
        Decimal("15.000"),
    )
    outbox_process(client_for=client_for, now=T0 + timedelta(days=4))  # replay: nothing more taken
    assert shop.balance(card_id) == Decimal("15.00")


def test_spent_gift_card_leaves_debt_settled_from_the_next_reward(
    make_reward, shop, client_for, captured_installation
):
    reward = _issue(make_reward, captured_installation, client_for, amount="20.00")
    card_id = reward_latest_entry(reward=reward).details["gift_card_id"]
    shop.spend(card_id, Decimal("18.00"))  # only 2.00 left on the card
    _learn(captured_installation, voided_at=T0 + timedelta(days=3), void_reason="fully refunded")
    outbox_process(client_for=client_for, now=T0 + timedelta(days=3))
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.VOIDED and latest.details["recovered"] == "2.00"
    assert shop.balance(card_id) == 0
    email = reward.recipient_email
    assert debt_outstanding(
        installation=captured_installation, email=email, currency="USD"
    ) == Money.of("18.00", "USD")

    nxt = _issue(make_reward, captured_installation, client_for, amount="25.00", order_id="order-2")
    issued = reward_latest_entry(reward=nxt)
    assert issued.amount == Decimal("7.00")  # 25.00 less the 18.00 owed
    assert shop.balance(issued.details["gift_card_id"]) == Decimal("7.00")
    assert debt_outstanding(
        installation=captured_installation, email=email, currency="USD"
    ) == Money.of(0, "USD")
    assert DebtEntry.objects.count() == 2


def test_points_are_clawed_back_from_the_balance(make_reward, client_for, captured_installation):
    reward = _issue(
        make_reward, captured_installation, client_for, kind="points", amount=None, points=200
    )
    who = {
        "installation": captured_installation,
        "customer_id": "VXNlcjo0Ng==",
        "email": reward.recipient_email,
    }
    assert points_balance(**who, now=T0 + timedelta(days=2)) == 200
    _learn(captured_installation, refunded=ORDER_TOTAL / 2, now=T0 + timedelta(days=3))
    assert points_balance(**who, now=T0 + timedelta(days=3)) == 100
    assert reward_latest_entry(reward=reward).points == 100


def test_points_expire_and_spends_use_the_oldest_first(
    make_reward, client_for, captured_installation
):
    _issue(
        make_reward,
        captured_installation,
        client_for,
        kind="points",
        amount=None,
        points=100,
        expires_days=10,
    )
    _issue(
        make_reward,
        captured_installation,
        client_for,
        kind="points",
        amount=None,
        points=50,
        order_id="order-2",
    )
    who = {
        "installation": captured_installation,
        "customer_id": "",
        "email": "alice.referrer@example.com",
    }
    assert points_balance(**who, now=T0 + timedelta(days=3)) == 150
    assert points_balance(**who, now=T0 + timedelta(days=13)) == 50  # the 100 expired


def test_review_holds_the_reward_until_approved(make_reward, captured_installation):
    waiting = make_reward(state=RewardState.REVIEW)
    refused = make_reward(state=RewardState.REVIEW, order_id="order-2")
    _learn(captured_installation, paid_at=T0, fulfilled_at=T0)
    assert reward_latest_entry(reward=waiting).state == RewardState.REVIEW
    assert {v.id for v in rewards_for_review(installation=captured_installation)} == {
        waiting.pk,
        refused.pk,
    }

    reward_review_approve(entry=reward_latest_entry(reward=waiting), actor="staff@example.com")
    assert reward_latest_entry(reward=waiting).state == RewardState.HELD
    reward_review_reject(entry=refused, actor="staff@example.com", reason="same household")
    latest = reward_latest_entry(reward=refused)
    assert (latest.state, latest.actor, latest.reason) == (
        "voided",
        "staff@example.com",
        "same household",
    )
    with pytest.raises(RewardError):
        reward_review_approve(entry=refused, actor="staff@example.com")


def test_customer_sees_their_rewards_by_id_or_email(make_reward, captured_installation):
    make_reward(amount="5.00")
    make_reward(
        amount=None, kind="points", points=40, customer_id="", email="alice.referrer@example.com"
    )
    make_reward(email="someone@example.com", customer_id="VXNlcjo5OQ==")
    views = rewards_for_customer(
        installation=captured_installation,
        customer_id="VXNlcjo0Ng==",
        email="ALICE.referrer@example.com ",
    )
    assert sorted((v.kind, v.state, v.amount, v.points) for v in views) == [
        ("money", "pending", Money.of("5.00", "USD"), None),
        ("points", "pending", None, 40),
    ]


def test_one_mailbox_one_customer_but_mail_goes_where_they_wrote(
    make_reward, captured_installation
):
    reward = make_reward(email="bob.friend+promo@googlemail.com", customer_id="")
    assert reward.recipient_key == "bobfriend@gmail.com"
    (view,) = rewards_for_customer(
        installation=captured_installation, customer_id=None, email="BobFriend@gmail.com"
    )
    assert view.recipient_email == "bob.friend+promo@googlemail.com"  # the gift card goes here


@pytest.mark.django_db(transaction=True)  # commits for real: the release's kick runs at once
def test_the_release_command_counts_what_its_release_issued(
    make_reward, shop, captured_installation
):
    """Without a broker a release issues its rewards right after its commit, before the command
    works the outbox itself; the command still says they were issued (it said `issued 0`)."""
    reward = make_reward(hold_after="payment", amount="20.00")
    _learn(captured_installation, order_id=reward.order_id, paid_at=T0)
    out = io.StringIO()
    call_command("rewards_release", "--now", (T0 + timedelta(days=2)).isoformat(), stdout=out)
    assert out.getvalue().strip() == "released 1, issued 1, failed 0"
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUED
    assert len(shop.gift_cards) == 1
    out = io.StringIO()
    call_command("rewards_release", "--now", (T0 + timedelta(days=2)).isoformat(), stdout=out)
    assert out.getvalue().strip() == "released 0, issued 0, failed 0"
