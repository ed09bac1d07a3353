"""One decision procedure: what the app decides for an event (`Program.evaluate`, nothing of its
own around it) is what the CLI decides from the same facts written to a facts file
(`facts_to_json` → `facts_from_json` → `explain`), on random programs and facts: the same
rewards, refusals and cuts by limits and budgets, or the same evaluation error (facts in
another currency than the program's). The app's facts carry no usage of their own: it puts in
what its ledger counted (`plugin.use_cases.rewards`); the CLI reads it from the facts file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from facts_strategies import facts_for
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rules_strategies import programs

import rules
from rules.facts import USAGE_PERIODS, USAGE_RECIPIENTS, Facts, UsageFacts, periods_missed
from rules.facts.money import Money
from rules.facts.usage import with_usage


def app_rewards(program: rules.Program, facts: Facts):
    """As `plugin.use_cases.rewards.order_rewards_decide` decides: the program alone. A gate of
    the app's own (say, skipping `first order in channel` for a returning customer) would answer
    "nothing" where the program refuses facts in another currency."""
    mapped = replace(facts, usage=UsageFacts(), referral=replace(
        facts.referral, referrer=replace(facts.referral.referrer, rewards_this_month=0)))
    ledger = facts.usage  # what `usage_read_locked` reads from the counters
    decision = program.evaluate(with_usage(mapped, ledger))
    return decision.rewards, decision.refused, decision.cut


def cli_rewards(program: rules.Program, facts: Facts):
    decision = program.explain(rules.facts_from_json(rules.facts_to_json(facts)))
    return decision.rewards, decision.refused, decision.cut


def outcome(decide, program: rules.Program, facts: Facts):
    """The rewards and refusals, or the evaluation error's message: both paths must agree on
    either."""
    try:
        return decide(program, facts)
    except rules.EvaluationError as exc:
        return f"EvaluationError: {exc}"


@settings(max_examples=250, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(programs(), st.data())
def test_the_app_and_the_cli_decide_alike(source, data):
    result = rules.check(source)
    assume(result.ok)
    program = result.program
    triggers = sorted(program.triggers, key=lambda t: t.value)
    for facts in data.draw(st.lists(facts_for(program.currency, triggers), min_size=1,
                                    max_size=4)):
        app, cli = outcome(app_rewards, program, facts), outcome(cli_rewards, program, facts)
        assert cli == app, (source, facts)


def test_a_second_order_in_the_channel_gets_nothing_in_the_cli_too():
    program = rules.compile_program(
        'program "p" currency USD\non first order in channel "app":\n'
        "    give customer 300 points\n")
    second = {"trigger": "first order in channel", "channel": "app", "currency": "USD",
              "now": "2026-03-10T12:00:00+00:00", "order": {"total": "10 USD"},
              "customer": {"orders": 2, "orders_in_channel": 1}}
    assert program.explain(rules.facts_from_json(second)).rewards == ()
    first = {**second, "customer": {"orders": 2, "orders_in_channel": 0}}
    assert [r.points for r in program.explain(rules.facts_from_json(first)).rewards] == [300]


def test_periods_missed_are_worked_out_from_the_last_order_as_the_app_does():
    facts = rules.facts_from_json({
        "trigger": "customer asleep", "now": "2026-03-10T12:00:00+00:00",
        "customer": {"last_order": "2026-01-05", "usual_interval_days": 30}})
    assert facts.customer.periods_missed == 2 == periods_missed(
        date(2026, 3, 10) - date(2026, 1, 5), timedelta(days=30))
    given_ = rules.facts_from_json({
        "trigger": "customer asleep", "now": "2026-03-10T12:00:00+00:00",
        "customer": {"last_order": "2026-01-05", "usual_interval_days": 30,
                     "periods_missed": 0}})
    assert given_.customer.periods_missed == 0  # facts that say it are taken at their word


USED_UP = UsageFacts(
    tuple((who, period, 3) for who in USAGE_RECIPIENTS for period in USAGE_PERIODS),
    (),
)


@settings(max_examples=120, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(programs(), st.data())
def test_used_up_limits_and_budgets_cut_alike_on_both_paths(source, data):
    """Every count at 3 (the most a random limit allows) and every budget spent: whatever a
    program with a limit or a budget gives to a person is cut, the same on both paths."""
    result = rules.check(source)
    assume(result.ok and (result.program.budgets or "rewards per" in source))
    program = result.program
    triggers = sorted(program.triggers, key=lambda t: t.value)
    facts = data.draw(facts_for(program.currency, triggers))
    spent = tuple((period, Money.of(5000, facts.currency)) for period in USAGE_PERIODS)
    facts = replace(facts, usage=replace(USED_UP, spent=spent), referral=replace(
        facts.referral, referrer=replace(facts.referral.referrer, rewards_this_month=3)))
    app, cli = outcome(app_rewards, program, facts), outcome(cli_rewards, program, facts)
    assert cli == app, (source, facts)
    if isinstance(app, tuple):
        limited = {lim.recipient for lim in program.limits if lim.kind == "per_person"}
        counted = [r for r in app[0] if r.kind != "discount" and (
            r.recipient in limited or (program.budgets and r.amount is not None
                                       and r.kind != "points"))]
        assert counted == [], (source, facts, app)
