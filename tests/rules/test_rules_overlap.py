"""Overlapping rules: the warning points at the later rule and names the earlier one's line."""

from __future__ import annotations

import rules

SOURCE = '''program "Overlap" currency USD
rule "welcome" on order paid when referred:
    give referrer 10 USD

on order paid when order_total >= 50 USD:
    give referrer 20 points
    give referee 5 USD off next order

on order paid when order_total < 50 USD:
    give referee 2 USD off next order
'''


def overlaps(source: str) -> list:
    return [d for d in rules.check(source).diagnostics if "can both reward" in d.message]


def test_the_warning_names_both_rules_and_both_lines():
    (found,) = overlaps(SOURCE)
    assert (found.severity, found.line, found.column) == ("warning", 5, 1)
    assert found.message.startswith('this rule and rule "welcome" can both reward the referrer')
    assert "line 2" in found.hint
    rendered = found.render(SOURCE)
    assert "5:1" in rendered and "line 2" in rendered


def test_exclusive_conditions_and_other_recipients_do_not_warn():
    assert overlaps(SOURCE.replace("when referred", "when order_total < 50 USD")) == []
    assert overlaps(SOURCE.replace("give referrer 20 points", "give customer 20 points")) == []


def test_a_bare_fact_and_its_negation_are_exclusive():
    source = ('program "x" currency USD\non order paid when referred:\n    give referrer 1 USD\n'
              'on order paid when not referred:\n    give referrer 1 USD\n')
    assert overlaps(source) == []
    assert len(overlaps(source.replace("when not referred", "when order_total > 5 USD"))) == 1
