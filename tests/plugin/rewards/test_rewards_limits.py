"""Caps and budgets: counted atomically with the reward, also under concurrent orders."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from rewards_testing import T0, on_postgres

import rules
from plugin.rewards.limits import period_key, usage_read_locked, usage_take_reward
from plugin.rewards.models import Reward, RewardState, UsageCounter
from plugin.rewards.selectors import reward_latest_entry
from plugin.use_cases.order_reward_record import reward_record
from rules.evaluate.decision import Reward as Decided
from rules.facts import Trigger
from rules.facts.money import Money

PROGRAM = rules.compile_program(
    'program "Capped" currency USD\n'
    "on order paid when referred:\n"
    "    give referrer 10 USD\n"
    "limit referrer 3 rewards per month\n"
    "limit rewards <= 10% of order_total\n"
    "budget 100 USD per month\n"
)


def _decided(amount="30.00", line=4):
    return Decided(
        recipient="referrer",
        kind="money",
        amount=Money.of(amount, "USD"),
        percent=None,
        points=None,
        voucher_type=None,
        max_amount=None,
        delivery="gift_card",
        hold_days=30,
        hold_after="fulfillment",
        expires_days=None,
        rule_line=line,
        rule_label="referrer reward",
        reason="order_total > 50",
    )


def _record(installation, order_number, amount="30.00", email="alice.referrer@example.com"):
    order = {
        "id": f"order-{order_number}",
        "number": str(order_number),
        "channel": {"slug": "default-channel"},
    }
    reward_record(
        installation=installation,
        key=f"order:order-{order_number}:paid:4:referrer:0",
        reward=_decided(amount),
        recipient=(email, ""),
        state=RewardState.PENDING,
        reason="",
        order=order,
        trigger=Trigger.ORDER_PAID,
        referral=None,
        version=None,
        program=PROGRAM,
        at=T0,
        cause={"cause_event": "ORDER_FULLY_PAID", "cause_id": str(order_number)},
    )
    return Reward.objects.get(installation=installation, order_id=order["id"])


def test_period_keys():
    assert period_key(period="month", now=T0) == "2026-11"
    assert period_key(period="week", now=T0) == "2026-W47"
    assert period_key(period="quarter", now=T0) == "2026-Q4"
    assert period_key(period=None, now=T0) == "all"


@pytest.mark.django_db
def test_usage_is_read_from_the_counters_of_the_people_of_the_event(captured_installation):
    for n in range(2):
        _record(captured_installation, n, amount="10.00", email="a@example.com")
    usage = usage_read_locked(installation=captured_installation, program=PROGRAM,
                              people={"referrer": "a@example.com", "referee": "b@example.com"},
                              now=T0, currency="USD")
    assert usage.rewards_in("referrer", "month") == 2
    assert usage.rewards_in("referee", "month") == 0
    assert usage.spent_in("month") == Decimal("20.00")
    later = usage_read_locked(installation=captured_installation, program=PROGRAM,
                              people={"referrer": "a@example.com"},
                              now=T0 + timedelta(days=40), currency="USD")
    assert (later.rewards_in("referrer", "month"), later.spent_in("month")) == (0, 0)


@pytest.mark.django_db
def test_cap_refuses_the_fourth_reward_with_the_reason(captured_installation):
    states = [
        reward_latest_entry(reward=_record(captured_installation, n, amount="10.00"))
        for n in range(4)
    ]
    assert [s.state for s in states] == ["pending"] * 3 + ["refused"]
    assert "3 rewards per month" in states[-1].reason
    _record(captured_installation, 0, amount="10.00")  # a replayed order counts nothing again
    row = UsageCounter.objects.get(scope="referrer:alice.referrer@example.com")
    assert (row.count, row.amount) == (3, Decimal("30.000"))


@pytest.mark.django_db
def test_budget_is_shared_by_everyone(captured_installation):
    first = _record(captured_installation, 1, amount="60.00", email="a@example.com")
    second = _record(captured_installation, 2, amount="60.00", email="b@example.com")
    third = _record(captured_installation, 3, amount="40.00", email="c@example.com")
    assert [reward_latest_entry(reward=r).state for r in (first, second, third)] == [
        "pending",
        "refused",
        "pending",
    ]
    assert "budget" in reward_latest_entry(reward=second).reason


@pytest.mark.django_db
def test_limits_are_all_or_nothing(captured_installation):
    """A reward over the budget takes no place under the person's limit either."""
    over = usage_take_reward(installation=captured_installation, program=PROGRAM,
                             reward=_decided("150.00"), email="a@example.com", now=T0,
                             currency="USD")
    assert over.broken.startswith("budget 100.00 USD per month") and over.counted == ()
    assert not UsageCounter.objects.filter(count__gt=0).exists()
    fits = usage_take_reward(installation=captured_installation, program=PROGRAM,
                             reward=_decided("10.00"), email="a@example.com",
                             now=T0 + timedelta(days=40), currency="USD")
    assert fits.broken is None
    assert sorted(fits.counted) == [("budget", "2027-01"), ("referrer:a@example.com", "2027-01")]


@pytest.mark.django_db
def test_a_cancelled_order_gives_its_place_back(captured_installation):
    from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update

    first, *_others = (_record(captured_installation, n, amount="10.00") for n in range(3))
    order_track_update(
        installation=captured_installation,
        order_id=first.order_id,
        total=Decimal(50),
        voided_at=T0,
        void_reason="cancelled",
    )
    order_rewards_reconcile(installation=captured_installation, order_id=first.order_id, now=T0)
    order_rewards_reconcile(installation=captured_installation, order_id=first.order_id, now=T0)
    assert reward_latest_entry(reward=first).state == "voided"
    fourth = _record(captured_installation, 3, amount="10.00")
    fifth = _record(captured_installation, 4, amount="10.00")
    assert [reward_latest_entry(reward=r).state for r in (fourth, fifth)] == ["pending", "refused"]
    row = UsageCounter.objects.get(scope="referrer:alice.referrer@example.com")
    assert (row.count, row.amount) == (3, Decimal("30.000"))


@pytest.mark.postgres_only
@pytest.mark.skipif(not on_postgres(), reason="row locks under real concurrency need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_never_exceed_the_cap(captured_installation):
    """Twelve orders paid at the same moment, cap 3 per month: exactly three rewards."""
    barrier = threading.Barrier(12)
    errors = []

    def pay(number):
        try:
            barrier.wait()
            _record(captured_installation, number, amount="10.00")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    states = [reward_latest_entry(reward=r).state for r in Reward.objects.all()]
    assert sorted(states) == ["pending"] * 3 + ["refused"] * 9
    row = UsageCounter.objects.get(scope="referrer:alice.referrer@example.com")
    assert (row.count, row.amount) == (3, Decimal("30.000"))
    budget = UsageCounter.objects.get(scope="budget")
    assert budget.amount == Decimal("30.000")
