"""The type and folded constant the checker records for each expression (the editor's hover),
and that the plain checker records nothing."""

from __future__ import annotations

import rules
from rules.checker.expr_check import ExprChecker
from rules.checker.program_check import Checker
from rules.syntax.parser import parse
from rules.tools.expr_types import TypeRecorder, expression_types

PROGRAM = """program "Hover" currency USD

on order paid when referred and count(lines where line.category == "shoes") >= 2:
    let bonus = 10% of order_total
    if order_total > 500 USD give referrer 50 USD + 5 USD else 5%
    give referee 10% of 55 USD
    give referrer sum(line.total for line in lines) * 2 + bonus max 100 USD

limit reward at most 10% of order_total
budget 10000 USD per month
"""


def typed_texts(source: str) -> dict[str, tuple[str, str | None]]:
    """Each recorded expression by the text it spans (one line each here): (type, value)."""
    lines = source.splitlines()
    found = {}
    for item in rules.expression_types(source):
        span = item.span
        assert span.line == span.end_line
        text = lines[span.line - 1][span.column - 1:span.end_column - 1]
        found.setdefault(text, (item.type, item.value))
    return found


def test_money_arithmetic_is_money_in_the_programs_currency_with_its_folded_value():
    found = typed_texts(PROGRAM)
    assert found["50 USD + 5 USD"] == ("Money (USD)", "55 USD")
    assert found["50 USD"] == ("Money (USD)", "50 USD")
    assert found["5%"] == ("Percent", "5%")


def test_percent_of_an_amount_is_money_constant_only_when_the_amount_is():
    found = typed_texts(PROGRAM)
    assert found["10% of order_total"] == ("Money (USD)", None)
    assert found["10% of 55 USD"] == ("Money (USD)", "5.50 USD")
    assert found["10%"] == ("Percent", "10%")


def test_aggregates_over_lines_and_their_line_fields():
    found = typed_texts(PROGRAM)
    assert found['count(lines where line.category == "shoes")'] == ("Int", None)
    assert found["lines"] == ("Lines", None)
    assert found["line.category"] == ("String", None)
    assert found["sum(line.total for line in lines)"] == ("Money (USD)", None)
    assert found["sum(line.total for line in lines) * 2"] == ("Money (USD)", None)
    assert found["line.total"] == ("Money (USD)", None)


def test_comparisons_and_conditions_are_bool():
    found = typed_texts(PROGRAM)
    assert found["order_total > 500 USD"] == ("Bool", None)
    assert found['line.category == "shoes"'] == ("Bool", None)
    assert found["referred"] == ("Bool", None)


def test_facts_and_let_names_carry_their_type():
    found = typed_texts(PROGRAM)
    assert found["order_total"] == ("Money (USD)", None)
    assert found["500 USD"] == ("Money (USD)", "500 USD")
    assert found["bonus"] == ("Money (USD)", None)


def test_declarations_are_typed_too():
    found = typed_texts(PROGRAM)
    assert found["10000 USD"] == ("Money (USD)", "10000 USD")
    assert found["10% of order_total"] == ("Money (USD)", None)


def test_currency_comes_from_the_amounts_when_the_header_names_none():
    source = 'on order paid when order_total >= 20 EUR:\n    give referrer 2.5 EUR\n'
    found = typed_texts(source)
    assert found["order_total"] == ("Money (EUR)", None)
    assert found["2.5 EUR"] == ("Money (EUR)", "2.50 EUR")
    assert found["order_total >= 20 EUR"] == ("Bool", None)


def test_results_are_in_source_order_outer_before_inner():
    spans = [(t.span.line, t.span.column, -t.span.end_line, -t.span.end_column)
             for t in rules.expression_types(PROGRAM)]
    assert spans == sorted(spans)
    assert len(spans) == len(set(spans))


def test_expressions_with_type_errors_are_left_out_the_rest_kept():
    source = ('program "x" currency USD\n\non order paid when order_total > 5 USD:\n'
              '    give referrer 50 USD + 5%\n')
    assert not rules.check(source).ok
    found = typed_texts(source)
    assert "50 USD + 5%" not in found
    assert found["50 USD"] == ("Money (USD)", "50 USD")
    assert found["order_total > 5 USD"] == ("Bool", None)


def test_no_types_for_a_program_with_syntax_errors():
    source = ('program "x" currency USD\n\non order paid when order_total >:\n'
              '    give referrer 5 USD\n')
    assert rules.expression_types(source) == []


def test_the_list_is_capped_keeping_inner_expressions():
    capped = expression_types(PROGRAM, limit=3)
    assert len(capped) == 3
    assert {t.type for t in capped} == {"Bool", "Lines", "String"}  # `referred`, then the count
    assert expression_types(PROGRAM, limit=0) == []


def test_recording_is_off_by_default():
    node, errors = parse(PROGRAM)
    assert not errors
    plain = Checker("program.rules")
    plain.program(node)
    assert Checker.expr is ExprChecker.expr  # the plain checker keeps no record at all
    assert not hasattr(plain, "recorded")
    recorder = TypeRecorder("program.rules")
    recorder.program(node)
    assert len(recorder.recorded) == len(expression_types(PROGRAM))
    # Recording changes nothing the checker reports.
    assert recorder.diagnostics == plain.diagnostics


def test_spans_take_in_the_brackets_written_around_and_inside():
    source = ('program "x" currency USD\n\n'
              'on order paid when (order_total + 5 USD) * 2 >= max(2 USD, (3 USD)):\n'
              '    give referrer 5 USD\n')
    found = typed_texts(source)
    assert found["(order_total + 5 USD) * 2"] == ("Money (USD)", None)
    assert found["max(2 USD, (3 USD))"] == ("Money (USD)", "3 USD")
    assert found["(order_total + 5 USD) * 2 >= max(2 USD, (3 USD))"] == ("Bool", None)
    assert found["(order_total + 5 USD)"] == ("Money (USD)", None)
    assert "order_total + 5 USD" not in found  # the brackets belong to what they enclose
