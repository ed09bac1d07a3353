"""Limits and budgets in the live app: its ledger's counters become the facts' usage, the
language's one procedure cuts, and `referrals explain` on the facts the app evaluated cuts the
same rewards for the same reasons. The captured ORDER_FULLY_PAID of order #21 (84.99 USD)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.dateparse import parse_datetime

import rules
from plugin.programs.actors import SystemActor
from plugin.programs.selectors import program_published
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.rewards.limits import period_key, usage_lock
from plugin.rewards.models import Reward, RewardState, UsageCounter
from plugin.rewards.selectors import reward_latest_entry
from plugin.use_cases.rewards import RewardDeps, order_event_process

pytestmark = pytest.mark.django_db

COUNTED = """program "Counted" currency USD
budget 100 USD per month
limit customer 1 rewards per month

rule "welcome credit" on order paid:
    give customer 30 USD as store credit

rule "loyalty points" on order paid:
    give customer 500 points
"""


class _Seen:
    """The published program, remembering the facts the app evaluated it with."""

    def __init__(self, program):
        self.program, self.facts = program, []

    def __getattr__(self, name):
        return getattr(self.program, name)

    def evaluate(self, facts):
        self.facts.append(facts)
        return self.program.evaluate(facts)


def _publish(installation, source):
    program = program_get_or_create(installation=installation)
    program_save_draft(program=program, actor=SystemActor(), source=source)
    program_publish(program=program, actor=SystemActor())


def test_the_budget_spent_this_month_cuts_in_the_app_as_in_the_cli(installation, captured):
    _publish(installation, COUNTED)
    payload = captured("ORDER_FULLY_PAID", 1)
    at = parse_datetime(payload["issuedAt"])
    month = period_key(period="month", now=at)
    usage_lock(installation=installation, scope="budget", period=month)
    UsageCounter.objects.filter(installation=installation, scope="budget").update(
        count=4, amount=Decimal("80.00"))
    version, program = program_published(installation=installation)
    seen = _Seen(program)
    deps = RewardDeps(program_published=lambda installation: (version, seen))

    order_event_process(installation=installation, event="ORDER_FULLY_PAID", payload=payload,
                        deps=deps)
    order_event_process(installation=installation, event="ORDER_FULLY_PAID", payload=payload,
                        deps=deps)  # a redelivery decides nothing again

    by_rule = {r.rule_label: r for r in Reward.objects.filter(installation=installation)}
    assert sorted(by_rule) == ["loyalty points", "welcome credit"]
    credit = reward_latest_entry(reward=by_rule["welcome credit"])
    assert credit.state == RewardState.REFUSED
    assert credit.reason == ("refused: budget 100.00 USD per month (line 2): 80.00 USD spent "
                             "this month")
    assert reward_latest_entry(reward=by_rule["loyalty points"]).state != RewardState.REFUSED
    budget = UsageCounter.objects.get(installation=installation, scope="budget", period=month)
    assert (budget.count, budget.amount) == (5, Decimal("80.000"))  # the points, worth nothing

    facts = seen.facts[0]  # order paid; the first order in channel comes next
    assert facts.usage.spent_in("month") == Decimal("80.00")
    cli = program.explain(rules.facts_from_json(rules.facts_to_json(facts)))
    assert [r.describe() for r in cli.rewards] == ["customer gets 500 points"]
    assert [f"refused: {c.reason}" for c in cli.cut] == [credit.reason]


def test_a_persons_limit_reads_that_persons_counter(installation, captured):
    _publish(installation, COUNTED)
    payload = captured("ORDER_FULLY_PAID", 1)
    at = parse_datetime(payload["issuedAt"])
    email = (payload["order"].get("userEmail") or payload["order"]["user"]["email"]).lower()
    scope = f"customer:{email}"
    usage_lock(installation=installation, scope=scope, period=period_key(period="month", now=at))
    UsageCounter.objects.filter(installation=installation, scope=scope).update(count=1)

    order_event_process(installation=installation, event="ORDER_FULLY_PAID", payload=payload)

    entries = [reward_latest_entry(reward=r) for r in Reward.objects.filter(
        installation=installation).order_by("rule_line")]
    assert [e.state for e in entries] == [RewardState.REFUSED, RewardState.REFUSED]
    assert {e.reason for e in entries} == {
        "refused: limit customer 1 rewards per month (line 3): 1 this month"}
