"""Facts are validated at the door: whatever JSON a facts file holds (NaN, infinities, exponents,
huge or negative amounts, too many decimals, wrong types), `facts_from_json` returns Facts or
raises a FactsError naming the fact it refuses; never a traceback. Facts it accepts evaluate."""

from __future__ import annotations

import contextlib
import copy
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from rules.facts.values import MAX_AMOUNT

BASE = {
    "trigger": "order paid", "now": "2026-03-10T12:00:00+00:00", "currency": "USD",
    "channel": "web",
    "order": {"id": "o1", "total": "120.00 USD", "subtotal": "110.00", "shipping": "10.00",
              "refunded": None,
              "lines": [{"product": "shoe", "sku": "RS-42", "quantity": 2,
                         "unit_price": "55.00 USD", "total": "110.00 USD"}]},
    "customer": {"email": "c@example.com", "orders": 1, "orders_in_channel": 1,
                 "total_spent": "50 USD", "last_order": "2026-01-01",
                 "usual_interval_days": 30, "periods_missed": 1},
    "referral": {"is_referred": True, "code": "ANNA", "days_since": 3,
                 "referrer": {"orders": 6, "total_spent": "900 USD", "referrals": 4,
                              "paid_referrals": 2, "rewards_this_month": 1}},
}

# (path in the JSON, the fact name an error must start with)
FIELDS = [
    (("order", "total"), "order.total"), (("order", "subtotal"), "order.subtotal"),
    (("order", "shipping"), "order.shipping"), (("order", "refunded"), "order.refunded"),
    (("order", "lines", 0, "unit_price"), "order.lines[0].unit_price"),
    (("order", "lines", 0, "total"), "order.lines[0].total"),
    (("order", "lines", 0, "quantity"), "order.lines[0].quantity"),
    (("order", "lines", 0, "sku"), "order.lines[0].sku"),
    (("order", "lines"), "order.lines"), (("order", "number"), "order.number"),
    (("order", "is_paid"), "order.is_paid"),
    (("customer", "total_spent"), "customer.total_spent"),
    (("customer", "orders"), "customer.orders"),
    (("customer", "usual_interval_days"), "customer.usual_interval_days"),
    (("customer", "last_order"), "customer.last_order"),
    (("customer", "periods_missed"), "customer.periods_missed"),
    (("referral", "days_since"), "referral.days_since"),
    (("referral", "is_referred"), "referral.is_referred"),
    (("referral", "referrer", "total_spent"), "referrer.total_spent"),
    (("referral", "referrer", "orders"), "referrer.orders"),
    (("currency",), "currency"), (("channel",), "channel"), (("trigger",), "trigger"),
    (("now",), "now"),
]

NASTY_TEXT = ["NaN", "nan USD", "Infinity", "-Infinity USD", "1e999999", "1E-999999 USD",
              "9" * 5000, "9" * 5000 + " USD", "-5", "-0.01 USD", "999.5 JPY", "12.345 USD",
              "0.000000001", "1_000", "0x10", "\uff11\uff10 USD", "\u0661\u0660", "\u09ea0 USD",
              " 12.50 USD ", "12.50 XXX", "12.50 EUR", "", " ", "USD", "1 2 USD", "+5", ".5", "5.",
              "12.50 usd"]
values = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=False).map(str),
    st.text(max_size=30),
    st.booleans(), st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["amount", "currency", "x"]),
                    st.one_of(st.sampled_from(NASTY_TEXT), st.integers(), st.floats()),
                    max_size=3),
)


def _set(data: dict, path: tuple, value) -> None:
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


PROGRAM = rules.compile_program(
    'program "p" currency USD\n'
    "on order paid when referred and customer.periods_missed < 3:\n"
    "    give referrer 10% max 50 USD\n"
    "    give referee sum(line.total for line in lines where line.sku == \"RS-42\") / 10\n"
    "    give customer customer.total_spent / 100 + referrer.total_spent / 100\n")


@settings(max_examples=600, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(FIELDS), values), min_size=1, max_size=3))
def test_any_facts_json_gives_facts_or_an_error_naming_the_fact(changes):
    data = copy.deepcopy(BASE)
    for (path, _name), value in changes:
        # an earlier change may have replaced the parent (order.lines is no longer a list)
        with contextlib.suppress(TypeError, KeyError, IndexError):
            _set(data, path, value)
    try:
        facts = rules.facts_from_json(data)
    except rules.FactsError as exc:
        # the fact changed, a part of it, or the record that holds it (a line with neither
        # unit_price nor total is wrong as a whole); a new currency makes every amount wrong
        named = str(exc).split(":", 1)[0]
        changed = [name for (_path, name), _value in changes]
        if "currency" in changed:
            changed += [name for _path, name in FIELDS]
        assert any(named == name or named.startswith((f"{name}[", f"{name}."))
                   or name.startswith(f"{named}.") for name in changed), str(exc)[:300]
        return
    for money in _amounts(facts):
        assert money.currency == facts.currency
        assert 0 <= money.amount < MAX_AMOUNT
        assert money.amount == money.amount.quantize(Decimal(1).scaleb(-2))
    if facts.currency == "USD":
        PROGRAM.evaluate(facts)  # no traceback on anything the door lets in


def _amounts(facts):
    order, customer, referrer = facts.order, facts.customer, facts.referral.referrer
    found = [referrer.total_spent]
    if order is not None:
        found += [order.total, order.subtotal, order.shipping, order.refunded]
        found += [m for line in order.lines for m in (line.unit_price, line.total_price)]
    if customer is not None:
        found.append(customer.total_spent)
    return [m for m in found if m is not None and facts.currency in ("USD", "EUR")]


@pytest.mark.parametrize(("value", "message"), [
    ("NaN USD", "order.total: 'NaN' is not a number"),
    ("Infinity USD", "order.total: 'Infinity' is not a number"),
    ("1e999999 USD", "order.total: '1e999999' is not a number"),
    ("9" * 5000 + " USD", "order.total: 99999999999999999999…(5000 characters) is too large"),
    ("-5 USD", "order.total: -5 USD is negative"),
    ("\uff11\uff10 USD", "order.total: '\uff11\uff10' is not a number"),  # fullwidth 10
    (12.5, "order.total: floats are refused"),
    ("12.50 EUR", "order.total: 12.50 EUR is not in the facts' currency USD"),
])
def test_the_issues_facts_are_refused_by_name(value, message):
    with pytest.raises(rules.FactsError) as raised:
        rules.facts_from_json({**BASE, "order": {**BASE["order"], "total": value}})
    assert str(raised.value).startswith(message)


def test_yen_with_decimals_is_an_error_not_a_rounding():
    with pytest.raises(rules.FactsError, match=r"^order.total: 999.5 JPY has more decimals than "
                                               r"JPY allows \(no decimals\)$"):
        rules.facts_from_json({"currency": "JPY", "order": {"total": "999.5 JPY"}})
    facts = rules.facts_from_json({"currency": "JPY", "order": {"total": "1000.00 JPY"}})
    assert facts.order.total == rules.Money.of(1000, "JPY")  # trailing zeros are not decimals
