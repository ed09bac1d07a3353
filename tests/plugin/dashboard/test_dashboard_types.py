"""`/types` gives the editor the type and constant value of each expression, for its hover;
`/check`, which runs while the merchant types, does not spend time on them."""

from __future__ import annotations

import pytest

from plugin.dashboard import views_editor

pytestmark = pytest.mark.django_db

PROGRAM = """program "Tiers" currency USD

on order paid when referred:
    if order_total > 500 USD give referrer 50 USD + 5 USD else 20% of order_total
"""


def text_of(source: str, entry: dict) -> str:
    start, end = entry["from"], entry["to"]
    assert start["line"] == end["line"]
    return source.splitlines()[start["line"] - 1][start["column"] - 1:end["column"] - 1]


def test_types_returns_each_expressions_type_and_constant_value(dash):
    assert "types" not in dash.post("check", {"source": PROGRAM}).json()
    data = dash.post("types", {"source": PROGRAM}).json()
    assert data["types_truncated"] is False
    by_text = {text_of(PROGRAM, t): (t["type"], t["value"]) for t in data["types"]}
    assert by_text["order_total > 500 USD"] == ("Bool", None)
    assert by_text["order_total"] == ("Money (USD)", None)
    assert by_text["500 USD"] == ("Money (USD)", "500 USD")
    assert by_text["50 USD + 5 USD"] == ("Money (USD)", "55 USD")
    assert by_text["20% of order_total"] == ("Money (USD)", None)
    assert by_text["referred"] == ("Bool", None)
    comparison = next(t for t in data["types"] if text_of(PROGRAM, t) == "order_total > 500 USD")
    # Same 1-based, end-exclusive positions as the diagnostics.
    assert comparison["from"] == {"line": 4, "column": 8}
    assert comparison["to"] == {"line": 4, "column": 29}


def test_types_come_with_type_errors_but_not_with_syntax_errors(dash, sources):
    broken = dash.post("types", {"source": sources.BROKEN}).json()
    assert {t["type"] for t in broken["types"]} >= {"Money (USD)", "Percent"}

    syntax = PROGRAM.replace("order_total > 500 USD", "order_total > > 500 USD")
    assert dash.post("check", {"source": syntax}).json()["diagnostics"]
    assert dash.post("types", {"source": syntax}).json()["types"] == []


def test_the_list_is_capped_for_a_huge_program(dash, monkeypatch):
    monkeypatch.setattr(views_editor, "MAX_TYPES", 4)
    data = dash.post("types", {"source": PROGRAM}).json()
    assert len(data["types"]) == 4
    assert data["types_truncated"] is True
