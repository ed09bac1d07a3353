"""Fuzzing: any text gives a Program or the language's own diagnostics, never another exception.

Three strategies, 10,000 inputs in all: arbitrary text, token soup from the language's own
vocabulary, and valid programs with one character changed.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules

VOCABULARY = [
    "program", '"x"', "currency", "USD", "EUR", "on", "order", "paid", "checkout", "customer",
    "created", "asleep", "for", "2", "periods", "when", "if", "elif", "else", "give", "referrer",
    "referee", "tier", "order_total", ":", "500+", "->", ",", "50", "USD", "20%", "%", "of",
    "and", "or", "not", "in", "[", "]", "(", ")", "sum", "count", "line", "lines", "where",
    "line.total", "hold", "30", "days", "after", "fulfillment", "as", "gift", "card", "points",
    "off", "next", "max", "expires", "let", "x", "=", "==", ">", "<=", "+", "-", "*", "/", "\n",
    "\n    ", "\n        ", "#", "contest", "from", "2026-03-01", "to", "prize", "1..3",
    "limit", "budget", "per", "month", "example", "expect", "gets", "nothing", "free",
    "shipping", "product", "today", "customer.orders", "referred", "true", "1.5", "2026-02-30",
]
SEED = """program "Seed" currency USD
on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD
on order paid when referred:
    if order_total > 500 give referrer 50 USD as gift card else 20%
    hold 30 days after fulfillment
    give referrer tier order_total: 500+ -> 5 USD, 200+ -> 2 USD
contest "c" from 2026-03-01 to 2026-03-31:
    score referrals.paid
    prize 1: 50 USD gift card
limit reward <= 10% of order_total
example "e":
    order_total = 600 USD, referred
    expect referrer gets 50 USD
"""


def fast(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def outcome_is_clean(source: str) -> None:
    result = rules.check(source)
    if result.program is None:
        assert any(d.severity == "error" for d in result.diagnostics)
        for diagnostic in result.diagnostics:
            assert diagnostic.line >= 1 and diagnostic.column >= 1
            assert diagnostic.render(source).count("\n") >= 0
        return
    result.program.static_report()
    result.program.run_examples()


@fast(3300)
@given(st.text(max_size=200))
def test_any_text(source: str) -> None:
    outcome_is_clean(source)


@fast(3700)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40))
def test_token_soup(tokens: list[str]) -> None:
    outcome_is_clean(" ".join(tokens))


@fast(3000)
@given(st.integers(0, len(SEED) - 1), st.sampled_from(list(" \n:()%+-<>=,\"#x9A.")),
       st.booleans())
def test_one_character_changed(position: int, char: str, replace: bool) -> None:
    source = SEED[:position] + char + SEED[position + (1 if replace else 0):]
    outcome_is_clean(source)
