"""Bodies built to break the dashboard's endpoints get a 4xx with the reason, never a 500."""

from __future__ import annotations

import pytest

from plugin.playbook.models import PlaybookSettings


def post_raw(dash, path: str, body: bytes, method: str = "post"):
    send = getattr(dash.client, method)
    return send(f"/dashboard/api/{path}", data=body, content_type="application/json",
                headers=dash._headers())


def test_a_body_nested_100000_deep_is_refused_with_its_reason(dash):
    response = post_raw(dash, "check", b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 400
    assert response.json()["error"] == "request body nests too deeply"


def test_a_huge_integer_is_refused_as_not_json(dash):
    response = post_raw(dash, "program/rollback", b'{"number": ' + b"7" * 5000 + b"}")

    assert response.status_code == 400
    assert response.json()["error"].startswith("request body is not JSON")


@pytest.mark.parametrize("rate", [[30], {"percent": 30}])
def test_a_return_rate_that_is_a_list_or_an_object_is_refused(dash, shop, rate):
    response = dash.put("sleeping/rate", {"rate": rate})

    assert response.status_code == 400
    assert response.json()["error"] == "field 'rate' must be a string or integer or number"
    assert not PlaybookSettings.objects.filter(installation=shop).exists()


def test_format_of_a_19000_term_sum_answers_the_formatted_program(dash):
    source = ("on order paid:\n    if order_total > " + " + ".join(["1 USD"] * 19_000)
              + ":\n        give referrer 5 USD\n")

    response = dash.post("format", {"source": source})

    assert response.status_code == 200, response.content[:300]
    assert response.json()["source"] == source
