"""A reward over a money bound goes to the review queue with the reason, never straight out:
the captured ORDER_FULLY_PAID of order #21 (84.99 USD) against a program whose ceiling is 50 USD."""

from __future__ import annotations

import pytest

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.rewards.models import Reward, RewardState
from plugin.rewards.selectors import reward_latest_entry, rewards_for_review
from plugin.use_cases.rewards import order_event_process

pytestmark = pytest.mark.django_db

CEILING_50 = """program "Bounded" currency USD
ceiling 50 USD

rule "a tenth" on order paid:
    give customer 10%

rule "the whole order" on order paid:
    give customer order_total

rule "a typo of zeros" on order paid:
    give customer order_total * 1000000 * 1000000
"""


def test_rewards_over_the_ceiling_wait_for_review_with_the_reason(installation, captured):
    program = program_get_or_create(installation=installation)
    program_save_draft(program=program, actor=SystemActor(), source=CEILING_50)
    program_publish(program=program, actor=SystemActor())
    payload = captured("ORDER_FULLY_PAID", 1)
    assert payload["order"]["total"]["gross"]["amount"] == 84.99

    order_event_process(installation=installation, event="ORDER_FULLY_PAID", payload=payload)
    order_event_process(installation=installation, event="ORDER_FULLY_PAID", payload=payload)

    by_rule = {r.rule_label: r for r in Reward.objects.filter(installation=installation)}
    assert sorted(by_rule) == ["a tenth", "a typo of zeros", "the whole order"]  # once each
    tenth = reward_latest_entry(reward=by_rule["a tenth"])
    assert tenth.state != RewardState.REVIEW and str(by_rule["a tenth"].amount) == "8.500"
    whole = reward_latest_entry(reward=by_rule["the whole order"])
    assert (whole.state, str(by_rule["the whole order"].amount)) == (RewardState.REVIEW, "84.990")
    assert whole.reason == "review: more than the program's ceiling of 50.00 USD per reward"
    queue = rewards_for_review(installation=installation)
    assert [v.id for v in queue] == [by_rule["the whole order"].pk]
    # beyond anything the ledger holds: refused outright, the figure kept in the reason
    typo = reward_latest_entry(reward=by_rule["a typo of zeros"])
    assert (typo.state, by_rule["a typo of zeros"].amount) == (RewardState.REFUSED, None)
    assert typo.reason == ("refused: 84990000000000.00 USD is more than the program's ceiling "
                           "of 50.00 USD per reward")
