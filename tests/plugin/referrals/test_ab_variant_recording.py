"""An A/B test in the live program: Bob's referral (through Alice's code, from the captured
sign-ups) records the test and Alice's variant, and the reward his paid order #21 brings is
that variant's, recorded with it. Both variants are exercised through two salts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import Referral
from plugin.rewards.models import Reward
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.rewards import order_event_process
from rules.evaluate.variants import variant_key, variant_pick

pytestmark = pytest.mark.django_db

PROGRAM = """program "Referrer reward test" currency USD

ab test "Referrer reward" salt "{salt}":
    variant "money":
        rule "money for a friend" on order paid when referred and order_total >= 5 USD:
            give referrer 5 USD
    variant "points":
        rule "points for a friend" on order paid when referred:
            give referrer 500 points
"""
WEIGHTS = (("money", 1), ("points", 1))


def _salt_for(variant: str) -> str:
    """A salt that puts Alice (by her captured e-mail) in `variant`."""
    key = variant_key(customer_id=None, email="alice.referrer@example.com")
    return next(f"s{n}" for n in range(100)
                if variant_pick(salt=f"s{n}", key=key, weights=WEIGHTS) == variant)


@pytest.mark.parametrize("variant", ["money", "points"])
def test_the_referral_and_its_reward_carry_the_referrer_variant(installation, captured, variant):
    program = program_get_or_create(installation=installation)
    program_save_draft(program=program, actor=SystemActor(),
                       source=PROGRAM.format(salt=_salt_for(variant)))
    program_publish(program=program, actor=SystemActor())
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 1))
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 2))

    (referral,) = Referral.objects.filter(installation=installation)
    assert (referral.referrer_email, referral.ab_test, referral.ab_variant) == (
        "alice.referrer@example.com", "Referrer reward", variant)

    order_event_process(installation=installation, event="ORDER_FULLY_PAID",
                        payload=captured("ORDER_FULLY_PAID", 1))

    (reward,) = Reward.objects.filter(installation=installation)
    assert (reward.ab_test, reward.ab_variant, reward.recipient_email) == (
        "Referrer reward", variant, "alice.referrer@example.com")
    assert (reward.points, reward.amount) == {"points": (500, None),
                                              "money": (None, Decimal(5))}[variant]


def test_without_a_test_nothing_is_recorded(installation, captured, alice):
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 2))
    assert list(Referral.objects.values_list("ab_test", "ab_variant")) == [("", "")]
