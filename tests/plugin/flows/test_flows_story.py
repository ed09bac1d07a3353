"""The whole story from Saleor's captured deliveries, through the app's own webhook endpoint.

Code → checkout → discount applied → paid → held → fulfilled + window → gift card issued; the
cancel path voids; the refund path claws back; self-referral is refused; replays change nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from flows_testing import (
    CAPTURE_TIME,
    deliveries_in_arrival_order,
    deliveries_until,
    history,
    ledger,
)

from plugin.referrals.models import Referral
from plugin.rewards.models import Reward, RewardEntry, RewardState
from plugin.rewards.selectors import points_balance, reward_latest_entry
from plugin.saleor.captures import captured_delivery
from plugin.webhooks.registry import handlers_for

pytestmark = pytest.mark.django_db
ALICE_EMAIL = "alice.referrer@example.com"


def _reward(installation, number: str, trigger: str = "order paid") -> Reward:
    return Reward.objects.get(installation=installation, order_number=number, trigger=trigger)


def _mail_subjects(to: str) -> list[str]:
    return [m.subject for m in mail.outbox if to in m.to]


def test_story_code_checkout_discount_paid_held_fulfilled_gift_card(
    story, alice_code, send, shop, clock, fake_saleor
):
    send(deliveries_until("CHECKOUT_UPDATED", 6))  # Bob's checkout now carries ALICE-REF
    checkout_id = captured_delivery("ORDER_CREATED", 1).payload["order"]["checkoutId"]
    referral = Referral.objects.get(installation=story, checkout_id=checkout_id)
    assert (referral.code, referral.referee_email) == (alice_code, "bob.friend@example.com")
    assert shop.checkout_codes.get(checkout_id), "the referee's discount code is on the checkout"

    send(deliveries_until("ORDER_CONFIRMED", 1)[len(deliveries_until("CHECKOUT_UPDATED", 6)) :])
    money = _reward(story, "21")
    assert (money.recipient_email, money.kind, money.amount, money.currency) == (
        ALICE_EMAIL,
        "money",
        Decimal("10.000"),
        "USD",
    )
    assert money.program_version is not None and money.cause_event in (
        "ORDER_PAID",
        "ORDER_FULLY_PAID",
    )
    assert reward_latest_entry(reward=money).state == RewardState.PENDING  # waits for fulfilment

    send(deliveries_until("ORDER_FULFILLED", 1)[len(deliveries_until("ORDER_CONFIRMED", 1)) :])
    held = reward_latest_entry(reward=money)
    assert held.state == RewardState.HELD and held.cause_event == "ORDER_FULFILLED"
    assert held.due_at.date().isoformat() == "2026-12-06"  # fulfilled 2026-11-22 + 14 days

    clock.now = held.due_at - timedelta(minutes=1)
    call_command("rewards_release")
    assert shop.gift_cards == {}
    clock.now = held.due_at + timedelta(minutes=1)
    call_command("rewards_release")
    call_command("rewards_release")  # a second run finds nothing to do
    (card,) = shop.gift_cards.values()
    assert card["currentBalance"] == {"amount": 10.0, "currency": "USD"}
    assert shop.sent_to == [(ALICE_EMAIL, card["id"])]
    assert history(money) == [
        ("decided", "pending"),
        ("held", "held"),
        ("released", "issuing"),
        ("issued", "issued"),
    ]
    assert len(fake_saleor.calls("gift_card_create")) == 1
    subjects = _mail_subjects(ALICE_EMAIL)
    assert any("friend used your link" in s for s in subjects)
    assert any("on its way" in s for s in subjects)
    assert any("is ready" in s for s in subjects)


def test_refund_path_claws_back_the_issued_gift_card(story, alice_code, send, shop, clock):
    send(deliveries_until("ORDER_FULFILLED", 1))
    money = _reward(story, "21")
    assert history(money) == [("decided", "pending"), ("held", "held")]
    clock.now = reward_latest_entry(reward=money).due_at + timedelta(seconds=1)
    call_command("rewards_release")
    (card_id,) = shop.gift_cards
    points_before = points_balance(installation=story, customer_id=None, email=ALICE_EMAIL)

    refunds = deliveries_until("ORDER_REFUNDED", 1)[len(deliveries_until("ORDER_FULFILLED", 1)) :]
    send(refunds)  # 21.25 of 84.99 refunded
    assert shop.balance(card_id) == Decimal("7.50")  # 10.00 x (1 - 21.25 / 84.99)
    assert reward_latest_entry(reward=money).amount == Decimal("7.500")

    send(deliveries_until("ORDER_FULLY_REFUNDED", 1)[len(deliveries_until("ORDER_REFUNDED", 1)) :])
    assert shop.balance(card_id) == 0
    latest = reward_latest_entry(reward=money)
    assert (latest.action, latest.state) == ("clawed_back", "voided")
    assert points_balance(installation=story, customer_id=None, email=ALICE_EMAIL) < points_before


def test_cancel_path_voids(story, alice_code, send):
    send(deliveries_until("ORDER_UPDATED", 5))  # order #22: created unpaid, then cancelled
    points = _reward(story, "22", trigger="order created")
    assert history(points) == [("decided", "pending"), ("voided", "voided")]
    assert reward_latest_entry(reward=points).cause_event == "ORDER_CANCELLED"
    assert not Reward.objects.filter(installation=story, order_number="22", trigger="order paid")


def test_self_referral_is_refused(story, send):
    from plugin.referrals.services import referral_code_create

    referral_code_create(
        installation=story,
        customer_id="VXNlcjo0Nw==",
        email="bob.friend@example.com",
        code="ALICE-REF",
    )  # the code Bob uses is his own
    send(deliveries_until("ORDER_FULFILLED", 1))
    checkout_id = captured_delivery("ORDER_CREATED", 1).payload["order"]["checkoutId"]
    referral = Referral.objects.get(installation=story, checkout_id=checkout_id)
    assert referral.status == Referral.Status.REFUSED and referral.refusal_reason
    assert not Reward.objects.filter(installation=story, order_number="21").exists()


def test_late_discount_becomes_store_credit(story, alice_code, send, shop, clock):
    """Carol's order #23 was placed without her referral discount: store credit makes it good."""
    order3 = [
        d
        for d in deliveries_in_arrival_order()
        if d.event.startswith("ORDER_") and d.payload.get("order", {}).get("number") == "23"
    ]
    send(order3)
    credit = Reward.objects.get(installation=story, key__endswith=":late-discount")
    assert (credit.recipient_email, credit.delivery, credit.amount) == (
        "carol.app-created@example.com",
        "store_credit",
        Decimal("15.000"),
    )  # 10% of 150.00
    assert reward_latest_entry(reward=credit).state == RewardState.ISSUED
    assert [c["currentBalance"]["amount"] for c in shop.gift_cards.values()] == [15.0]


# What the captured flows add up to under the story program (see the module docstring):
# order #21 paid then fully refunded, #22 cancelled unpaid, #23 paid (marked as paid) not fulfilled.
STORY_LEDGER = [
    ("21", "order created", "referrer", ALICE_EMAIL, "points", "voided", None, 0),
    ("21", "order paid", "referrer", ALICE_EMAIL, "money", "voided", Decimal("0.000"), None),
    ("22", "order created", "referrer", ALICE_EMAIL, "points", "voided", None, 0),
    ("23", "order created", "referrer", ALICE_EMAIL, "points", "issued", None, 50),
    ("23", "order paid", "referrer", ALICE_EMAIL, "money", "pending", Decimal("10.000"), None),
    # Carol's order carries no discount: she gets the promised 10 % of 150.00 as store credit.
    (
        "23",
        "order paid",
        "referee",
        "carol.app-created@example.com",
        "money",
        "issued",
        Decimal("15.000"),
        None,
    ),
]


def _handle_directly(installation, deliveries):
    """Run the handlers as a Saleor resend would (the inbox would drop identical bytes)."""
    for delivery in deliveries:
        for handler in handlers_for(delivery.event):
            handler(
                SimpleNamespace(
                    installation=installation,
                    event=delivery.event,
                    payload=delivery.payload,
                    pk=None,
                )
            )


def test_replaying_every_delivery_three_times_shuffled_gives_the_same_ledger(
    story, alice_code, send
):
    deliveries = deliveries_in_arrival_order()
    send(deliveries)
    assert ledger(story) == sorted(STORY_LEDGER, key=repr)
    entries = RewardEntry.objects.count()
    shuffler = random.Random(20261122)
    for _ in range(3):
        replay = deliveries[:]
        shuffler.shuffle(replay)
        send(replay)  # through the endpoint: the inbox acknowledges, nothing runs twice
        _handle_directly(story, replay)  # and the handlers themselves, out of order
        assert ledger(story) == sorted(STORY_LEDGER, key=repr)
    assert RewardEntry.objects.count() == entries  # not one new entry


def test_shuffled_arrival_gives_the_ledger_of_the_ordered_one(story, alice_code, send):
    """A fresh start with the deliveries shuffled ends where the ordered run ends."""
    replay = deliveries_in_arrival_order()
    random.Random(7).shuffle(replay)
    send(replay)
    _handle_directly(story, replay[::-1])
    assert ledger(story) == sorted(STORY_LEDGER, key=repr)


def test_review_verdict_holds_the_reward_until_a_person_approves(
    story, alice_code, send, shop, clock, monkeypatch
):
    from plugin.referrals import fraud
    from plugin.rewards.lifecycle import reward_review_approve

    monkeypatch.setattr(
        fraud,
        "fraud_check",
        lambda **_kw: fraud.FraudVerdict("review", "velocity: 3 friends in a minute"),
    )
    send(deliveries_until("ORDER_FULFILLED", 1))
    money = _reward(story, "21")
    latest = reward_latest_entry(reward=money)
    assert (latest.state, latest.reason) == ("review", "review: velocity: 3 friends in a minute")
    clock.now = CAPTURE_TIME + timedelta(days=30)
    call_command("rewards_release")
    assert shop.gift_cards == {}  # never released while in review

    reward_review_approve(entry=latest, actor="staff@example.com", reason="known customers")
    assert history(money)[-2:] == [("approved", "pending"), ("held", "held")]
    call_command("rewards_release")
    assert reward_latest_entry(reward=money).state == RewardState.ISSUED
    assert len(shop.gift_cards) == 1
