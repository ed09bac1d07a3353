"""The public API others code against: check, compile_program, Program data, Decision, facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from threading import Thread

import pytest

import rules
from rules import Money, Trigger

SPRING = """\
program "Spring referrals" currency USD

# the friend's first order: a discount applied automatically at checkout
on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD

on order paid when referred:
    if order_total > 500 give referrer 50 USD as gift card else 20%
    hold 30 days after fulfillment

on order paid when referred and referrer.orders >= 5:
    give referrer 200 points

on customer asleep for 2 periods:
    give customer 20% off next order expires 14 days

contest "March top referrers" from 2026-03-01 to 2026-03-31:
    score referrals.paid.net_total
    prize 1: 500 USD gift card
    prize 2..3: 100 USD gift card
    ties go to earliest

limit referrer 5 rewards per month
limit reward <= 10% of order_total
budget 10000 USD per month

example "big order":
    order_total = 600 USD, referred
    expect referrer gets 50 USD
"""


def order_facts(total: str, *, trigger=Trigger.ORDER_PAID, referred=True, currency="USD",
                subtotal: str | None = None) -> rules.Facts:
    money = Money.of(total, currency)
    return rules.Facts(
        trigger=trigger, now=datetime(2026, 3, 10, tzinfo=UTC), channel="default-channel",
        currency=currency,
        order=rules.OrderFacts(id="o1", currency=currency, total=money,
                               subtotal=Money.of(subtotal or total, currency),
                               shipping=Money.zero(currency), channel="default-channel"),
        customer=rules.CustomerFacts(email="a@example.com", orders=0),
        referral=rules.ReferralFacts(is_referred=referred),
    )


def test_product_example_means_what_it_says():
    program = rules.compile_program("if order_total > 500 give referrer 50 USD else 20%")
    assert program.currency == "USD"
    assert program.triggers == {Trigger.ORDER_PAID}
    expected = {"600": Money.of(50, "USD"), "100": Money.of("20.00", "USD"),
                "500": Money.of("100.00", "USD")}
    for total, amount in expected.items():
        (reward,) = program.evaluate(order_facts(total)).rewards
        assert (reward.recipient, reward.kind, reward.amount) == ("referrer", "money", amount)
    (reward,) = program.evaluate(order_facts("100")).rewards
    assert reward.percent == Decimal(20)


def test_without_currency_the_facts_currency_is_used():
    program = rules.compile_program("if order_total > 500 give referrer 50 else 20%")
    assert program.currency is None
    (reward,) = program.evaluate(order_facts("600", currency="EUR")).rewards
    assert reward.amount == Money.of(50, "EUR")
    (reward,) = program.evaluate(order_facts("99.99", currency="JPY")).rewards
    assert reward.amount == Money.of(20, "JPY")


def test_program_exposes_data():
    program = rules.compile_program(SPRING, "spring.rules")
    assert program.name == "Spring referrals"
    assert program.currency == "USD"
    assert [(r.trigger, r.line) for r in program.rules] == [
        (Trigger.CHECKOUT, 4), (Trigger.ORDER_PAID, 7), (Trigger.ORDER_PAID, 11),
        (Trigger.CUSTOMER_ASLEEP, 14)]
    assert program.rules[3].asleep_periods == 2
    per_person, per_order = program.limits
    assert (per_person.kind, per_person.recipient, per_person.count, per_person.period) == (
        "per_person", "referrer", 5, "month")
    assert (per_order.kind, per_order.cap_text) == ("per_order", "10% of order_total")
    (budget,) = program.budgets
    assert (budget.amount, budget.period) == (Money.of(10000, "USD"), "month")
    (contest,) = program.contests
    assert contest.name == "March top referrers"
    assert (contest.starts.isoformat(), contest.ends.isoformat()) == ("2026-03-01", "2026-03-31")
    assert contest.score == "referred_net_revenue"
    assert [(p.first_rank, p.last_rank, p.amount, p.delivery) for p in contest.prizes] == [
        (1, 1, Money.of(500, "USD"), "gift_card"), (2, 3, Money.of(100, "USD"), "gift_card")]
    assert contest.tie_break == "earliest"
    assert [e.name for e in program.examples] == ["big order"]
    assert [r.passed for r in program.run_examples()] == [True]


def test_checkout_discount_is_computed_and_capped():
    program = rules.compile_program(SPRING)
    facts = order_facts("400", trigger=Trigger.CHECKOUT, subtotal="400")
    (reward,) = program.evaluate(facts).rewards
    assert reward.kind == "discount" and reward.voucher_type == "percent"
    assert reward.percent == 10 and reward.amount == Money.of(30, "USD")
    assert reward.max_amount == Money.of(30, "USD")


def test_hold_and_per_order_cap():
    program = rules.compile_program(SPRING)
    (reward,) = program.evaluate(order_facts("600")).rewards
    # 50 USD is within 10% of 600 USD; held 30 days after fulfillment, paid as a gift card
    assert reward.amount == Money.of(50, "USD")
    assert (reward.hold_days, reward.hold_after, reward.delivery) == (30, "fulfillment",
                                                                      "gift_card")
    (reward,) = program.evaluate(order_facts("100")).rewards  # 20% = 20 USD, capped to 10 USD
    assert reward.amount == Money.of(10, "USD")


def test_check_collects_every_diagnostic_with_positions():
    source = 'program "x" currency USD\non order paid when order_totl > 5:\n' \
             '    give referrer 5 EUR\n    give referrer 5 USD + 10%\n'
    result = rules.check(source, "bad.rules")
    assert not result.ok and result.program is None
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [(d.line, d.column) for d in errors] == [(2, 20), (3, 19), (4, 19)]
    first = errors[0]
    assert first.hint == "did you mean `order_total`?"
    assert (first.end_line, first.end_column) == (2, 30)
    assert first.render(source) == (
        "bad.rules:2:20: error: unknown name `order_totl`\n"
        "    on order paid when order_totl > 5:\n"
        "                       ^~~~~~~~~~\n"
        "    hint: did you mean `order_total`?")
    with pytest.raises(rules.RulesError) as info:
        rules.compile_program(source, "bad.rules")
    assert len(info.value.diagnostics) == len(result.diagnostics)
    assert str(info.value).startswith("bad.rules:2:20: error: unknown name")


def test_check_never_raises_on_bad_text():
    for text in ["", "\x00", "(((((", "on", "give", "if if if", "\t\tgive referrer 5 USD",
                 "program", "\"unterminated", "é" * 50, "1" * 5000 + " USD"]:
        result = rules.check(text)
        assert isinstance(result, rules.CheckResult)


def test_limits_on_size_and_depth():
    huge = "# x\n" * 60_000
    assert "too long" in rules.check(huge).diagnostics[0].message
    deep = "if " + "not " * 200 + "referred give referrer 1 points"
    result = rules.check(deep)
    assert not result.ok and "nests too deeply" in result.diagnostics[0].message


def test_step_limit_stops_evaluation():
    program = rules.compile_program(
        "on order paid:\n    give referrer sum(line.quantity for line in lines) points\n")
    line = rules.LineFacts(product="p", quantity=1, unit_price=Money.of(1, "USD"),
                           total_price=Money.of(1, "USD"))
    facts = order_facts("1")
    many = rules.Facts(trigger=facts.trigger, now=facts.now, channel=facts.channel,
                       currency="USD", order=rules.OrderFacts(
                           id="o", currency="USD", total=Money.of(1, "USD"),
                           subtotal=Money.of(1, "USD"), shipping=Money.zero("USD"),
                           channel="c", lines=(line,) * 150_000))
    with pytest.raises(rules.EvaluationError, match="steps"):
        program.evaluate(many)


def test_currency_other_than_the_programs_is_refused_at_evaluation():
    program = rules.compile_program(SPRING)
    with pytest.raises(rules.EvaluationError, match="USD"):
        program.evaluate(order_facts("100", currency="EUR"))


def test_explain_traces_conditions_and_hints():
    program = rules.compile_program("if order_total > 500 give referrer 50 USD else 20%")
    decision = program.explain(order_facts("480"))
    conditions = [s for s in decision.trace if s.kind == "condition"]
    assert conditions[0].text == "order_total > 500" and conditions[0].held is False
    assert conditions[0].value == "order_total = 480.00 USD"
    assert decision.hints == ("spend 20.01 USD more to earn 50 USD",)
    assert program.evaluate(order_facts("480")).trace == ()


def test_decision_to_json_is_json_safe():
    program = rules.compile_program(SPRING)
    data = program.explain(order_facts("600")).to_json()
    text = json.dumps(data)
    assert '"amount": "50.00"' in text and data["program_hash"] == program.source_hash
    reward = data["rewards"][0]
    assert reward["recipient"] == "referrer" and reward["rule_line"] == 7


def test_programs_are_cached_by_source_and_shareable():
    first = rules.compile_program(SPRING)
    assert rules.compile_program(SPRING) is first
    assert len(first.source_hash) == 64
    with pytest.raises(AttributeError):
        first.currency = "EUR"  # type: ignore[misc]
    results: list = []
    threads = [Thread(target=lambda: results.append(first.evaluate(order_facts("600"))))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.rewards[0].amount for r in results} == {Money.of(50, "USD")}


def test_static_report():
    program = rules.compile_program(SPRING)
    report = program.static_report()
    assert report["worst_case_cost"]["checkout"] == Money.of(30, "USD")
    assert report["worst_case_cost"]["order paid"] is None  # grows with the order
    assert report["worst_case_text"]["order paid"] == "10% of order total"
    unsafe = rules.compile_program("on order paid when referred:\n    give referrer 50 USD\n")
    assert unsafe.static_report()["rules_exceeding_total"] == [2]
    assert unsafe.static_report()["worst_case_cost"]["order paid"] == Money.of(50, "USD")


def test_facts_json_round_trip():
    data = {
        "trigger": "order paid", "now": "2026-03-10T12:00:00+00:00", "currency": "USD",
        "channel": "eu",
        "order": {"total": "120.00 USD", "shipping": {"amount": "10", "currency": "USD"},
                  "lines": [{"sku": "S1", "category": "shoes", "collections": ["summer"],
                             "quantity": 2, "unit_price": "50.00 USD"}]},
        "customer": {"email": "a@example.com", "orders": 3, "last_order": "2026-01-01",
                     "usual_interval_days": 30, "periods_missed": 2},
        "referral": {"is_referred": True, "code": "ABC",
                     "referrer": {"orders": 6, "paid_referrals": 2}},
    }
    facts = rules.facts_from_json(data)
    assert facts.order.total == Money.of(120, "USD")
    assert facts.order.subtotal == Money.of(110, "USD")
    assert facts.order.lines[0].total_price == Money.of(100, "USD")
    assert facts.customer.usual_interval.days == 30
    assert rules.facts_from_json(rules.facts_to_json(facts)) == facts
    json.dumps(rules.facts_to_json(facts))
    with pytest.raises(rules.FactsError, match=r"order\.total"):
        rules.facts_from_json({"order": {"total": 1.5}})
    with pytest.raises(rules.FactsError, match="trigger"):
        rules.facts_from_json({"trigger": "order shipped"})


def test_facts_json_carries_segments_and_refuses_unknown_ones():
    data = {"customer": {"email": "a@example.com", "segment": "at_risk"},
            "referral": {"is_referred": True, "referrer": {"segment": "champions"}}}
    facts = rules.facts_from_json(data)
    assert (facts.customer.segment, facts.referral.referrer.segment) == ("at_risk", "champions")
    assert rules.facts_from_json(rules.facts_to_json(facts)) == facts
    assert rules.facts_from_json({"customer": {"email": "b@example.com"}}).customer.segment == ""
    with pytest.raises(rules.FactsError, match=r"customer\.segment: 'champion' is not a segment"):
        rules.facts_from_json({"customer": {"email": "c@example.com", "segment": "champion"}})
    with pytest.raises(rules.FactsError, match=r"referrer\.segment"):
        rules.facts_from_json({"referral": {"referrer": {"segment": 5}}})
    program = rules.compile_program(
        'on order paid when customer.segment == "at_risk":\n    give customer 5 points\n')
    assert [r.points for r in program.evaluate(facts).rewards] == [5]
    assert program.evaluate(rules.facts_from_json({"customer": {"email": "x@y.z"}})).rewards == ()


def test_format_source_is_canonical_and_idempotent():
    messy = ('program   "x"  currency USD\non order paid   when referred:  # why\n'
             '        give referrer   (10 USD)  \n')
    formatted = rules.format_source(messy)
    assert formatted == ('program "x" currency USD\n\non order paid when referred:  # why\n'
                         '    give referrer 10 USD\n')
    assert rules.format_source(formatted) == formatted
    with pytest.raises(rules.RulesError):
        rules.format_source("give friend 5 USD")


def test_facts_mixing_currencies_give_an_evaluation_error():
    program = rules.compile_program("on order paid:\n    give referrer 10% max 5 USD\n")
    facts = order_facts("100")
    mixed = rules.Facts(trigger=facts.trigger, now=facts.now, channel=facts.channel,
                        currency="USD", order=rules.OrderFacts(
                            id="o", currency="EUR", total=Money.of(100, "EUR"),
                            subtotal=Money.of(100, "EUR"), shipping=Money.zero("EUR"),
                            channel="c"))
    with pytest.raises(rules.EvaluationError, match="cannot mix"):
        program.explain(mixed)
    with pytest.raises(rules.EvaluationError, match="cannot mix"):
        program.evaluate(mixed)


def test_checking_from_many_threads_at_once():
    sources = [f"on order paid when order_total > {n} USD:\n    give referrer {n} points\n"
               for n in range(1, 25)]
    expected = [rules.check(s, f"t{n}.rules").program.rules[0].line for n, s in
                enumerate(sources)]
    results: dict[int, object] = {}

    def work(n: int) -> None:
        result = rules.check(sources[n] + "\n" * 3, f"x{n}.rules")  # uncached: new text
        results[n] = result.program.rules[0].line if result.program else result.diagnostics

    threads = [Thread(target=work, args=(n,)) for n in range(len(sources))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[n] for n in range(len(sources))] == expected


def test_reparsing_after_edits_matches_a_fresh_parse():
    from rules.evaluate.program import _check
    from rules.syntax.parser import clear_cache

    base = SPRING.replace("order_total > 500", "order_totl > 500")
    edits = [base, "# a new first line\n" + base, base.replace("200 points", "300 points"),
             base.replace("on order paid when referred and", "on order paid when")]
    seen = []
    for source in edits:  # each check reuses the items it parsed before
        result = rules.check(source)
        seen.append([(d.line, d.column, d.message) for d in result.diagnostics])
    clear_cache()
    fresh = []
    for source in edits:
        clear_cache()
        result = _check(source, "program.rules")
        fresh.append([(d.line, d.column, d.message) for d in result.diagnostics])
    assert seen == fresh
    assert seen[1][0][:2] == (seen[0][0][0] + 1, seen[0][0][1])  # shifted by the new line


def test_whole_file_and_item_by_item_parses_agree():
    """The cold path parses the file at once and caches each item's part; parsing item by item
    (the warm path) must build exactly the same tree, spans included."""
    from pathlib import Path

    from rules.syntax.parser import _parse_chunk, _split_items, clear_cache, parse

    sources = [SPRING, "if order_total > 500 give referrer 50 USD else 20%\n",
               "# lead\nlet x = 5\ngive referrer x points\n\non order paid:\n"
               "    give referrer 1 points\ngive referee 2 points\n"]
    sources += [p.read_text() for p in sorted((Path(__file__).parent / "cases").glob("*.rules"))]
    compared = 0
    for source in sources:
        clear_cache()
        whole, _ = parse(source)
        if whole is None:
            continue
        clear_cache()
        chunks = _split_items(source)
        _parse_chunk(*chunks[0])  # something cached: the rest goes item by item
        itemwise, _ = parse(source)
        assert itemwise == whole, source
        compared += 1
    assert compared > 50
