"""`on customer created` rules run in the app: the captured sign-ups replayed through the real
webhook endpoint. Bob signs up with Alice's code (CUSTOMER_CREATED 2, `isConfirmed: false`):
the rewards are decided once and wait; his ACCOUNT_CONFIRMED holds them towards payout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.rewards.models import Reward, RewardState
from plugin.rewards.selectors import reward_latest_entry, rewards_due
from plugin.saleor.captures import captured_delivery
from tests.plugin.webhooks.replay import post

pytestmark = pytest.mark.django_db

SIGNUP_BONUS = """program "Welcome" currency USD

rule "welcome points" on customer created:
    give customer 100 points

rule "friend's welcome" on customer created when referred:
    give referee 5 USD off next order expires 30 days
    give referrer 200 points
    hold 7 days
"""


@pytest.fixture
def deliver(client, captured_installation, fake_saleor, django_capture_on_commit_callbacks):
    def send(event: str, number: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, captured_delivery(event, number))
        assert response.status_code == 200, response.content

    return send


@pytest.fixture
def welcome(captured_installation):
    program = program_get_or_create(installation=captured_installation)
    program_save_draft(program=program, actor=SystemActor(), source=SIGNUP_BONUS)
    program_publish(program=program, actor=SystemActor())


def _rewards(email: str) -> list[tuple[str, str, str]]:
    return [(r.rule_label, r.recipient_role, reward_latest_entry(reward=r).state)
            for r in Reward.objects.filter(recipient_email=email).order_by("rule_line", "id")]


def test_a_signup_is_rewarded_once_and_waits_for_the_confirmed_account(deliver, welcome,
                                                                      captured_installation):
    deliver("CUSTOMER_CREATED", 1)  # Alice: her own code
    deliver("CUSTOMER_CREATED", 2)  # Bob, referred by ALICE-REF, not confirmed yet
    deliver("CUSTOMER_CREATED", 2)  # a redelivery decides nothing again
    bob = "bob.friend@example.com"
    assert _rewards(bob) == [("welcome points", "customer", RewardState.PENDING),
                             ("friend's welcome", "referee", RewardState.PENDING)]
    assert _rewards("alice.referrer@example.com")[-1] == (
        "friend's welcome", "referrer", RewardState.PENDING)  # waits for Bob's confirmation
    voucher = Reward.objects.get(recipient_email=bob, recipient_role="referee")
    assert (voucher.kind, voucher.channel) == ("voucher", "default-channel")  # listed somewhere
    points = Reward.objects.get(recipient_email=bob, recipient_role="customer")
    assert reward_latest_entry(reward=points).reason == (
        "waits for the customer to confirm their account")

    deliver("ACCOUNT_CONFIRMED", 1)  # Bob clicks the link
    deliver("ACCOUNT_CONFIRMED", 1)

    assert [state for *_, state in _rewards(bob)] == [RewardState.HELD] * 2
    confirmed = parse_datetime(captured_delivery("ACCOUNT_CONFIRMED", 1).payload["issuedAt"])
    due = {r.rule_label for r in rewards_due(installation=captured_installation, now=confirmed)}
    assert due == {"welcome points"}  # the friend's welcome is held 7 days
    later = rewards_due(installation=captured_installation, now=confirmed + timedelta(days=7))
    assert sorted((r.rule_label, r.recipient_role) for r in later) == [
        ("friend's welcome", "referee"), ("friend's welcome", "referrer"),
        ("welcome points", "customer")]
    assert Reward.objects.filter(recipient_email=bob).count() == 2  # once per customer
    alice = _rewards("alice.referrer@example.com")  # her own sign-up: not confirmed in the capture
    assert alice == [("welcome points", "customer", RewardState.PENDING),
                     ("friend's welcome", "referrer", RewardState.HELD)]


def test_a_shop_without_a_signup_rule_records_nothing(deliver, captured_installation):
    for event, number in [("CUSTOMER_CREATED", 1), ("CUSTOMER_CREATED", 2),
                          ("ACCOUNT_CONFIRMED", 1)]:
        deliver(event, number)
    assert not Reward.objects.exists()
