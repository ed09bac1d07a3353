"""The fast paths mean what the full paths mean: facts read in one pass equal the full reader's
(or leave the document to it), the money door's fast path equals its full judgement, a decision
whose rewards are built on reading equals one built at once, and records built by the quicker
`__init__` behave as the dataclasses they are."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime

import pytest
from facts_strategies import facts_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from rules.facts import Facts, LineFacts, ReferralFacts, Trigger
from rules.facts.codec import FactsError, facts_from_json, facts_from_json_in_full, facts_to_json
from rules.facts.fast import facts_fast
from rules.facts.money import Money
from rules.facts.values import fact_money, well_formed_money

SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _read(reader, data):
    try:
        return ("facts", reader(data))
    except FactsError as exc:
        return ("error", str(exc))


# Values a facts file may hold where money or text is expected: well formed, or not quite.
AMOUNT_TEXT = st.text(alphabet="0123456789.- e\u0661", min_size=0, max_size=16)
AMOUNT = (AMOUNT_TEXT | st.integers(-5, 10**13) | st.none() | st.booleans()
          | st.floats(allow_nan=True) | AMOUNT_TEXT.map(lambda text: f"{text} USD")
          | AMOUNT_TEXT.map(lambda text: {"amount": text, "currency": "USD"}))


@SETTINGS
@given(facts_for("USD", list(Trigger), max_lines=4), st.data())
def test_facts_read_fast_equal_the_full_readers(facts: Facts, data) -> None:
    document = facts_to_json(facts)
    in_full = _read(facts_from_json_in_full, document)
    assert _read(facts_from_json, document) == in_full
    if in_full == ("facts", facts) and facts.contest is None and "usage" not in document:
        assert facts_fast(document) == facts  # one currency, no usage counts: read in one pass
    # Bend one money figure: the fast path reads it or leaves the document to the full reader.
    bent = copy.deepcopy(document)
    where = data.draw(st.sampled_from(("order", "customer", "referral")))
    part = bent.get(where) or {}
    key = {"order": "total", "customer": "total_spent", "referral": "code"}[where]
    part[key] = data.draw(AMOUNT)
    assert _read(facts_from_json, bent) == _read(facts_from_json_in_full, bent)


@SETTINGS
@given(AMOUNT, st.sampled_from(("USD", "JPY", "KWD", "XXX")))
def test_the_money_doors_fast_path_is_its_full_judgement(value, currency: str) -> None:
    fast = well_formed_money(value, currency)
    if fast is None:
        return
    assert fact_money(value, currency, "amount") == fast
    assert str(fast.amount) == str(Money.of(fast.amount, currency).amount)  # its minor units


def test_a_decision_builds_its_rewards_on_reading_and_equals_one_built_at_once() -> None:
    program = rules.compile_program(
        'program "p" currency USD\nif order_total > 500 give referrer 50 USD else 20%\n')
    facts = facts_from_json({"now": "2026-03-01T00:00:00+00:00",
                             "order": {"total": "120.00", "subtotal": "120.00",
                                       "shipping": "0.00"}})
    decision = program.evaluate(facts)
    told = program.explain(facts)
    assert decision.rewards == told.rewards
    assert decision == rules.Decision(told.rewards, program_hash=program.source_hash)
    assert hash(decision) == hash(rules.Decision(told.rewards, program_hash=program.source_hash))
    assert "20%" in repr(decision) or "24.00" in repr(decision)
    with pytest.raises(FrozenInstanceError):
        decision.program_hash = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(program.evaluate(facts))) == decision == copy.copy(decision)


def test_records_built_quickly_are_the_dataclasses_they_were() -> None:
    price = Money.of("12.50", "USD")
    line = LineFacts("shoe", 2, price, price * 2, category="shoes")
    assert line == replace(line) and hash(line) == hash(replace(line))
    assert pickle.loads(pickle.dumps(line)) == line and copy.copy(line) == line
    assert line.collections == () and line.sku is None
    with pytest.raises(FrozenInstanceError):
        line.quantity = 3  # type: ignore[misc]
    facts = Facts(Trigger.ORDER_PAID, datetime(2026, 3, 1, tzinfo=UTC), "web", "USD")
    assert facts.referral == ReferralFacts() and facts.referral is not Facts(
        Trigger.ORDER_PAID, facts.now, "web", "USD").referral  # a default_factory, per object
    with pytest.raises(TypeError):
        LineFacts("shoe")  # type: ignore[call-arg]


def test_a_program_deeper_than_pythons_parser_allows_means_what_the_interpreter_means() -> None:
    # 300 `elif`s: written out as nested source they pass Python's indentation limit, so the
    # program runs as closures; its decisions stay the interpreter's.
    branches = "".join(
        f"    elif order_total > {1000 - i} USD:\n        give referrer {i % 7 + 1} USD\n"
        for i in range(1, 300))
    program = rules.compile_program(
        'program "deep" currency USD\non order paid:\n    if order_total > 5000 USD:\n'
        f"        give referrer 1 USD\n{branches}    else:\n        give referrer 2 USD\n")
    for total in ("120.00", "990.50", "7000.00"):
        facts = facts_from_json({"now": "2026-03-01T00:00:00+00:00", "order": {
            "total": total, "subtotal": total, "shipping": "0.00"}})
        assert program.evaluate(facts).rewards == program.explain(facts).rewards
        assert program.evaluate(facts).rewards[0].amount > Money.of(0, "USD")
