"""The formatter on very long expressions: no RecursionError, the same canonical text out.

A sum of 19,000 terms parses into a left-nested tree 19,000 deep; printing it must not recurse
once per level.
"""

from __future__ import annotations

import pytest

import rules


def program(condition: str) -> str:
    return f"on order paid:\n    if {condition}:\n        give referrer 5 USD\n"


@pytest.mark.parametrize("condition", [
    "order_total > " + " + ".join(["1 USD"] * 19_000),
    " and ".join(["referred"] * 8_000),
    " or ".join(["not referred"] * 4_000),
])
def test_a_very_long_expression_formats_to_its_canonical_self(condition):
    source = program(condition)

    assert rules.format_source(source) == source


def test_parentheses_survive_in_a_long_chain():
    # `a - (b - c)` must keep its parentheses; `(a - b) - c` loses them (left-associative).
    # As deep as the language's nesting limit lets brackets go inside a rule's `if`.
    right = "100 USD - (" * 40 + "100 USD - 1 USD" + ")" * 40
    messy = program("order_total > ((" + " - ".join(["1 USD"] * 500) + "))")

    assert rules.format_source(program(f"order_total > {right}")) == program(
        f"order_total > {right}")
    assert rules.format_source(messy) == program("order_total > " + " - ".join(["1 USD"] * 500))
