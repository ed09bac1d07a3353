"""Money bounded by construction: discounts within their base, every reward within the program's
ceiling and within the worst case `check` worked out for its rule; what breaks a bound is refused
with the reason, on the compiled path and in the interpreter's explanation alike."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import rules
from rules.checker.analysis import Cost
from rules.checker.cost import RuleBound
from rules.evaluate.ceiling import DEFAULT_CEILINGS, FALLBACK_UNITS
from rules.evaluate.decision import Reward
from rules.evaluate.guard import Guard
from rules.facts import Facts, OrderFacts, Trigger
from rules.facts.money import Money

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _order_paid(total: str, currency: str = "USD") -> Facts:
    order = OrderFacts(id="o1", currency=currency, total=Money.of(total, currency),
                       subtotal=Money.of(total, currency), shipping=Money.zero(currency),
                       channel="web")
    return Facts(trigger=Trigger.ORDER_PAID, now=NOW, channel="web", currency=currency, order=order)


def test_an_absurd_reward_is_refused_on_both_paths_with_the_reason():
    program = rules.compile_program(
        "on order paid:\n    give referrer order_total * 1000000 * 1000000 * 1000000\n")
    facts = _order_paid("100")
    decision = program.evaluate(facts)
    assert decision.rewards == ()
    (refusal,) = decision.refused
    assert refusal.reward.amount == Money.of(Decimal(10) ** 20, "USD")
    assert refusal.reason == "more than the program's ceiling of 1000.00 USD per reward"
    explained = program.explain(facts)
    assert explained.refused == decision.refused
    assert any(step.kind == "refused" and step.line == 1 for step in explained.trace)
    assert "refused, more than the program's ceiling" in explained.render()
    assert decision.to_json()["refused"][0]["reason"] == refusal.reason


def test_the_ceiling_is_declared_or_the_currencys_default():
    declared = rules.compile_program('program "p" currency EUR\nceiling 250 EUR\n'
                                     "on order paid:\n    give referrer 10%\n")
    assert declared.ceiling() == Money.of(250, "EUR")
    assert declared.static_report()["ceiling"] == Money.of(250, "EUR")
    yen = rules.compile_program('program "p" currency JPY\non order paid:\n'
                                "    give referrer 10%\n")
    assert yen.ceiling() == Money.of(150000, "JPY")
    bare = rules.compile_program("on order paid:\n    give referrer 10%\n")
    assert bare.ceiling() is None  # no currency yet: the facts' decides
    assert bare.ceiling("GBP") == Money.of(DEFAULT_CEILINGS["GBP"], "GBP")
    assert bare.ceiling("MNT") == Money.of(FALLBACK_UNITS, "MNT")  # not in the table
    # a bare number is in the facts' currency
    numbers = rules.compile_program("ceiling 70\non order paid:\n    give referrer 10%\n")
    assert [r.amount for r in numbers.evaluate(_order_paid("600", "CHF")).rewards] == [
        Money.of(60, "CHF")]
    assert numbers.evaluate(_order_paid("800", "CHF")).refused[0].reason == (
        "more than the program's ceiling of 70.00 CHF per reward")


def _reward(amount: str, line: int = 2, kind: str = "money", **extra) -> Reward:
    return Reward(recipient="referrer", kind=kind, rule_line=line, rule_label="r", reason="r",
                  amount=Money.of(amount, "USD"), **extra)


def test_a_reward_over_its_rules_worst_case_is_refused():
    # 10 USD + 5% of the order total: 15.00 USD on a 100 USD order, plus roundings (3 cents).
    guard = Guard(None, {2: RuleBound(Cost(Decimal(10), Decimal(5)), 3)})
    facts = _order_paid("100")
    kept, refused = guard.apply([_reward("15.03")], facts)
    assert [r.amount for r in kept] == [Money.of("15.03", "USD")] and refused == ()
    kept, refused = guard.apply([_reward("9"), _reward("7")], facts)  # 16 USD in all
    assert [r.amount for r in kept] == [Money.of(9, "USD")]
    assert refused[0].reason == ("more than the worst case `check` worked out for its rule "
                                 "(15.00 USD)")
    # a rule the checker cannot bound is held by the ceiling alone
    unbounded = Guard(None, {2: RuleBound(Cost(unbounded=True), 0)})
    assert unbounded.apply([_reward("999")], facts)[1] == ()


def test_the_rule_bound_takes_the_largest_order_figure():
    # Facts whose subtotal or lines are above the total still get the bound the checker meant.
    guard = Guard(None, {2: RuleBound(Cost(percent=Decimal(10)), 0)})
    order = OrderFacts(id="o1", currency="USD", total=Money.of(50, "USD"),
                       subtotal=Money.of(80, "USD"), shipping=Money.zero("USD"), channel="web")
    facts = Facts(trigger=Trigger.ORDER_PAID, now=NOW, channel="web", currency="USD", order=order)
    assert guard.apply([_reward("8")], facts)[1] == ()


def test_vouchers_and_discounts_stay_within_their_base():
    guard = Guard(None, {})
    facts = _order_paid("100")
    voucher = Reward(recipient="referee", kind="voucher", rule_line=2, rule_label="r",
                     reason="r", percent=Decimal(120), voucher_type="percent")
    assert guard.apply([voucher], facts)[1][0].reason == (
        "a voucher takes between 0% and 100% off, not 120%")
    negative = _reward("-5", kind="discount", voucher_type="fixed")
    assert guard.apply([negative], facts)[1][0].reason == "a discount cannot be negative"


def test_a_computed_discount_over_the_subtotal_is_refused():
    program = rules.compile_program(
        'program "p" currency USD\non checkout:\n'
        "    give referee order_total - 10 USD off order\n")
    checkout = Facts(trigger=Trigger.CHECKOUT, now=NOW, channel="web", currency="USD",
                     order=OrderFacts(id="c", currency="USD", total=Money.of(100, "USD"),
                                      subtotal=Money.of(60, "USD"),
                                      shipping=Money.of(40, "USD"), channel="web"))
    decision = program.evaluate(checkout)
    assert decision.rewards == ()
    assert decision.refused[0].reason == "it takes more off than the order's subtotal (60.00 USD)"


def test_a_fixed_voucher_is_worth_at_most_its_max_on_both_paths():
    # Found by the agreement tests: the figure said 10 USD, the voucher was worth 15 USD.
    program = rules.compile_program('program "p" currency USD\non order paid:\n'
                                    "    give referee 15 USD off next order max 10 USD\n")
    assert program.static_report()["worst_case_text"] == {"order paid": "10 USD"}
    facts = _order_paid("100")
    for decision in (program.evaluate(facts), program.explain(facts)):
        assert [r.amount for r in decision.rewards] == [Money.of(10, "USD")]
        assert decision.refused == ()
