"""Editor and sandbox endpoints: inline diagnostics, formatter, examples, sandbox decisions on
form facts and on the shop's real recent orders (the captured Saleor's), vocabulary, gallery."""

from __future__ import annotations

import pytest
from graphql import parse

from tests import saleor_answers

pytestmark = pytest.mark.django_db

TIERED = """program "Tiers" currency USD

on order paid when referred:
    if order_total > 500 USD give referrer 50 USD else 20%
    hold 30 days after payment
"""

SANDBOX_FACTS = {
    "trigger": "order paid", "channel": "default-channel", "currency": "USD",
    "order": {"total": "600.00", "subtotal": "590.00", "shipping": "10.00",
              "lines": [{"product": "tee", "quantity": 2, "unit_price": "295.00"}]},
    "customer": {"email": "friend@example.com", "orders": 0, "total_spent": "0"},
    "referral": {"is_referred": True, "code": "ANN", "days_since": 2,
                 "referrer": {"orders": 3, "paid_referrals": 1}},
}


def test_check_reports_errors_at_line_and_column(dash, sources):
    data = dash.post("check", {"source": sources.BROKEN}).json()
    assert data["ok"] is False
    [error] = data["diagnostics"]
    position = (error["line"], error["column"], error["end_line"], error["end_column"])
    assert position == (4, 19, 4, 30)
    assert error["message"] == "cannot add Percent to Money"
    assert "`of`" in error["hint"]


def test_check_of_a_valid_program_gives_static_figures(dash, sources):
    data = dash.post("check", {"source": sources.VALID}).json()
    assert data["ok"] is True
    assert data["static_report"]["worst_case_text"] == {"order paid": "10 USD"}
    assert data["static_report"]["rules_exceeding_total"] == [4]
    assert [d["severity"] for d in data["diagnostics"]] == ["warning"]


def test_syntax_error_is_positioned_too(dash):
    data = dash.post("check", {"source": 'program "x" currency USD\n\non order paid\n'}).json()
    assert data["ok"] is False
    assert data["diagnostics"][0]["line"] == 3


def test_format_returns_the_canonical_layout(dash):
    messy = 'program "x"   currency USD\non order paid when referred:\n  give referrer 5 USD\n'
    response = dash.post("format", {"source": messy})
    assert response.status_code == 200
    formatted = response.json()["source"]
    assert "    give referrer 5 USD" in formatted
    assert dash.post("format", {"source": formatted}).json()["source"] == formatted


def test_format_of_a_program_that_does_not_parse_is_422_with_positions(dash):
    response = dash.post("format", {"source": 'program "x" currency USD\n\non order paid\n'})
    assert response.status_code == 422
    assert response.json()["diagnostics"][0]["line"] == 3


def test_examples_run_with_pass_and_fail(dash, sources):
    passing = dash.post("examples", {"source": sources.VALID}).json()["examples"]
    assert [(e["name"], e["passed"], e["line"]) for e in passing] == [
        ("a referred order pays the referrer", True, 6)]
    failing = dash.post("examples", {"source": sources.FAILING_EXAMPLE}).json()["examples"]
    assert failing[0]["passed"] is False and "99 USD" in failing[0]["message"]


def test_sandbox_explains_the_decision(dash):
    data = dash.post("sandbox", {"source": TIERED, "facts": SANDBOX_FACTS}).json()["decision"]
    [reward] = data["rewards"]
    assert reward["recipient"] == "referrer"
    assert reward["amount"] == {"amount": "50.00", "currency": "USD"}
    assert reward["line"] == 3  # the rule that gave it
    assert reward["hold_days"] == 30 and reward["held_until"]
    assert any(step["held"] is True and "order_total > 500 USD" in step["text"]
               for step in data["trace"])


def test_sandbox_takes_the_else_branch_and_gives_a_nearest_miss_hint(dash):
    facts = {**SANDBOX_FACTS, "order": {**SANDBOX_FACTS["order"], "total": "480.00"}}
    data = dash.post("sandbox", {"source": TIERED, "facts": facts}).json()["decision"]
    assert data["rewards"][0]["amount"] == {"amount": "96.00", "currency": "USD"}  # 20% of 480
    assert any(step["held"] is False for step in data["trace"])
    assert data["hints"], "a nearest-miss hint is expected just under the threshold"


def test_sandbox_not_referred_gives_nothing(dash):
    facts = {**SANDBOX_FACTS, "referral": {"is_referred": False}}
    data = dash.post("sandbox", {"source": TIERED, "facts": facts}).json()["decision"]
    assert data["rewards"] == []


@pytest.mark.parametrize(("patch", "message"), [
    ({"currency": "XYZ"}, "currency"),
    ({"trigger": "order exploded"}, "trigger"),
    ({"order": {"total": 12.5}}, "order total"),
    ({"order": {"total": "abc"}}, "order total"),
    ({"order": {"total": "NaN"}}, "order total: 'NaN' is not a number"),
    ({"order": {"total": "1e999999"}}, "order total: '1e999999' is not a number"),
    ({"order": {"total": "9" * 5000}}, "order total: 9999"),
    ({"order": {"total": "-3"}}, "order total: -3 USD is negative"),
    ({"currency": "JPY", "order": {"total": "999.5"}},
     "order total: 999.5 JPY has more decimals than JPY allows"),
    ({"order": {"total": "1", "lines": [{"quantity": 0, "unit_price": "1"}]}}, "line 1 quantity"),
])
def test_sandbox_rejects_bad_facts_naming_the_field(dash, patch, message):
    response = dash.post("sandbox", {"source": TIERED, "facts": {**SANDBOX_FACTS, **patch}})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_sandbox_in_another_currency_than_the_program_says_the_order_is_skipped(dash):
    facts = {**SANDBOX_FACTS, "currency": "EUR"}
    response = dash.post("sandbox", {"source": TIERED, "facts": facts})
    assert response.status_code == 200  # as the live app: skipped with its reason, not an error
    assert response.json() == {"decision": None, "skipped": "order in EUR, program in USD",
                               "currency": "USD"}


def test_sandbox_of_a_broken_program_is_422(dash, sources):
    response = dash.post("sandbox", {"source": sources.BROKEN, "facts": SANDBOX_FACTS})
    assert response.status_code == 422
    assert response.json()["diagnostics"]


def test_recent_orders_come_from_saleor_as_sandbox_forms(dash, at_capture_time):
    # The fake Saleor answers OrdersRecent with the captured Saleor's real orders.
    orders = dash.get("orders/recent").json()["orders"]
    assert orders, "the captured Saleor has orders"
    newest = orders[0]
    assert newest["label"].startswith("#")
    form = newest["facts"]
    assert form["currency"] == "USD" and form["order"]["lines"]
    data = dash.post("sandbox", {"source": TIERED, "facts": {
        **form, "referral": {"is_referred": True}}}).json()["decision"]
    total = form["order"]["total"]
    assert data["rewards"][0]["recipient"] == "referrer", total


def test_recent_orders_ask_saleor_only_for_what_the_rules_read(dash, no_real_saleor):
    assert dash.get("orders/recent").status_code == 200
    (call,) = no_real_saleor.calls("orders_facts")
    document = parse(call.query)
    fragment = next(d for d in document.definitions
                    if getattr(d, "name", None) and d.name.value == "OrderFactsFields")
    asked = {field.name.value for field in fragment.selection_set.selections}
    assert asked == {"id", "number", "created", "isPaid", "userEmail", "user", "channel",
                     "checkoutId", "voucherCode", "lines", "subtotal", "shippingPrice", "total",
                     "totalRefunded"}
    assert "origin" not in call.query and "status" not in asked


def test_recent_orders_keep_the_orders_saleor_could_give(at_capture_time, dash, no_real_saleor):
    everything = dash.get("orders/recent").json()["orders"]
    no_real_saleor.on("orders_facts", saleor_answers.partial_orders_answer(bad=1))
    response = dash.get("orders/recent")
    assert response.status_code == 200
    body = response.json()
    assert len(body["orders"]) == len(everything) - 1 == 2
    (left_out,) = body["unreadable"]
    assert left_out["reason"] == ("Saleor answered with an error: "
                                  'Expected a value of type "OrderOriginEnum" but received: ')
    kept = {order["id"] for order in body["orders"]}
    assert kept < {order["id"] for order in everything}


def test_recent_orders_that_saleor_refuses_whole_say_saleor_answered_with_an_error(
        dash, no_real_saleor):
    no_real_saleor.on("orders_facts", saleor_answers.failed_orders_answer())
    response = dash.get("orders/recent")
    assert response.status_code == 502
    error = response.json()["error"]
    assert error.startswith("Saleor answered with an error: ")
    assert saleor_answers.ORIGIN_ERROR in error
    assert "did not answer" not in error


def test_recent_orders_when_saleor_is_down_is_502(dash, no_real_saleor):
    no_real_saleor.fail_next(10, status=503)
    response = dash.get("orders/recent")
    assert response.status_code == 502
    assert "Saleor did not answer" in response.json()["error"]


def test_vocabulary_lists_facts_with_types_and_grammar_keywords(dash):
    data = dash.get("vocabulary").json()
    facts = {f["name"]: f["type"] for f in data["facts"]}
    assert facts["order_total"] == "Money"
    assert facts["referrer.orders"] == "Int"
    assert facts["referred"] == "Bool"
    assert {"give", "referrer", "hold", "example", "expect"} <= set(data["keywords"])


def test_too_long_source_is_413(dash):
    response = dash.post("check", {"source": "#" * 200_001})
    assert response.status_code == 413


def test_gallery_lists_example_programs_with_title_and_description(dash, tmp_path, monkeypatch):
    from plugin.dashboard import language

    (tmp_path / "tiers.rules").write_text(
        '# Bigger orders, bigger thanks.\nprogram "Tiered thanks" currency USD\n')
    (tmp_path / "notes.txt").write_text("not a program")
    monkeypatch.setattr(language, "EXAMPLES_DIR", tmp_path)
    [item] = dash.get("gallery").json()["programs"]
    assert (item["name"], item["title"], item["description"]) == (
        "tiers", "Tiered thanks", "Bigger orders, bigger thanks.")
    assert item["source"].startswith("# Bigger orders")
