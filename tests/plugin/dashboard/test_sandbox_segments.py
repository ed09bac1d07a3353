"""The sandbox form's customer and referrer segments reach `customer.segment` and
`referrer.segment` through the real sandbox endpoint; a name that is no segment is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BY_SEGMENT = """program "By segment" currency USD

on order paid when referred and order_total >= 30 USD:
    if referrer.segment in ["champions", "loyal"]:
        give referrer 300 points
    else:
        give referrer 15 USD as store credit
"""


def _facts(referrer_segment: str | None, customer_segment: str = "") -> dict:
    referrer = {"email": "ann@example.com", "orders": 4}
    if referrer_segment is not None:
        referrer["segment"] = referrer_segment
    return {"trigger": "order paid", "channel": "default-channel", "currency": "USD",
            "order": {"total": "80.00", "subtotal": "75.00", "shipping": "5.00", "lines": []},
            "customer": {"email": "bob@example.com", "segment": customer_segment},
            "referral": {"is_referred": True, "referrer": referrer}}


@pytest.mark.parametrize(("segment", "gets"), [
    ("champions", "referrer gets 300 points"),
    ("new", "referrer gets 15.00 USD as store credit"),
    (None, "referrer gets 15.00 USD as store credit"),  # left out: no segment yet
])
def test_sandbox_reads_the_referrer_segment(dash, segment, gets):
    response = dash.post("sandbox", {"source": BY_SEGMENT, "facts": _facts(segment)})
    assert response.status_code == 200, response.content
    assert [r["describe"] for r in response.json()["decision"]["rewards"]] == [gets]


def test_sandbox_refuses_a_name_that_is_no_segment(dash):
    response = dash.post("sandbox", {"source": BY_SEGMENT, "facts": _facts("vip")})
    assert response.status_code == 400
    assert "referrer segment: 'vip' is not one of champions" in response.json()["error"]
    response = dash.post("sandbox", {"source": BY_SEGMENT, "facts": _facts("new", "Champions")})
    assert response.status_code == 400
    assert "customer segment: 'Champions'" in response.json()["error"]
