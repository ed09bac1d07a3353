"""The sandbox cuts by limits and budgets as `referrals explain` and the app do: the referrer's
rewards this month and the program's spend (the form's `usage`) reach the one procedure."""

from __future__ import annotations

import pytest

import rules

pytestmark = pytest.mark.django_db

LIMITED = """program "Limited" currency USD
limit referrer 5 rewards per month
budget 1000 USD per month

on order paid when referred:
    give referrer 50 USD
"""


def _facts(this_month: int, usage: dict | None = None) -> dict:
    facts = {"trigger": "order paid", "channel": "default-channel", "currency": "USD",
             "now": "2026-03-10T12:00:00+00:00",
             "order": {"total": "120.00", "subtotal": "110.00", "shipping": "10.00", "lines": []},
             "customer": {"email": "bo@example.com", "orders": 0, "total_spent": "0"},
             "referral": {"is_referred": True,
                          "referrer": {"email": "ann@example.com",
                                       "rewards_this_month": this_month}}}
    if usage is not None:
        facts["usage"] = usage
    return facts


@pytest.mark.parametrize(("this_month", "usage", "cut"), [
    (4, None, None),
    (5, None, "limit referrer 5 rewards per month (line 2): 5 this month"),
    (0, {"spent": {"month": "960.00"}}, "budget 1000.00 USD per month (line 3): 960.00 USD "
                                        "spent this month"),
])
def test_the_sandbox_cuts_as_the_cli_does(dash, this_month, usage, cut):
    response = dash.post("sandbox", {"source": LIMITED, "facts": _facts(this_month, usage)})
    assert response.status_code == 200, response.content
    decision = response.json()["decision"]
    assert [c["reason"] for c in decision["cut"]] == ([cut] if cut else [])
    assert len(decision["rewards"]) == (0 if cut else 1)
    cli = rules.compile_program(LIMITED).explain(rules.facts_from_json(_facts(this_month, usage)))
    assert [c.reason for c in cli.cut] == [c["reason"] for c in decision["cut"]]


def test_the_sandbox_names_a_bad_usage_fact(dash):
    response = dash.post("sandbox", {"source": LIMITED,
                                     "facts": _facts(0, {"spent": {"fortnight": "5"}})})
    assert response.status_code == 400
    assert "usage.spent.fortnight: unknown period" in response.content.decode()
