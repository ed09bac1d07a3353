"""The sandbox form's "earlier orders in this channel" field reaches `customer.orders_in_channel`
through the real sandbox endpoint, and a count above the customer's orders is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

APP_LAUNCH = """program "App launch" currency USD

on checkout when channel == "mobile-app" and customer.orders_in_channel == 0:
    give customer 20% off order
"""


def _facts(orders: int, in_channel: int | None) -> dict:
    customer = {"email": "bob@example.com", "orders": orders, "total_spent": "0"}
    if in_channel is not None:
        customer["orders_in_channel"] = in_channel
    return {"trigger": "checkout", "channel": "mobile-app", "currency": "USD",
            "order": {"total": "80.00", "subtotal": "75.00", "shipping": "5.00", "lines": []},
            "customer": customer, "referral": {"is_referred": False}}


@pytest.mark.parametrize(("orders", "in_channel", "rewarded"), [
    (2, 0, True),  # a web regular's first app order
    (3, 1, False),  # a second app order
    (0, None, True),  # the field left out counts as none
])
def test_sandbox_reads_orders_in_channel(dash, orders, in_channel, rewarded):
    response = dash.post("sandbox", {"source": APP_LAUNCH, "facts": _facts(orders, in_channel)})
    assert response.status_code == 200, response.content
    rewards = response.json()["decision"]["rewards"]
    assert [r["recipient"] for r in rewards] == (["customer"] if rewarded else [])


@pytest.mark.parametrize(("orders", "in_channel", "message"), [
    (1, 2, "earlier orders in this channel: 2 is more than the 1 earlier orders"),
    (1, -1, "earlier orders in this channel: -1 is out of range"),
    (1, "two", "earlier orders in this channel: 'two' is not a whole number"),
])
def test_sandbox_refuses_bad_channel_counts(dash, orders, in_channel, message):
    response = dash.post("sandbox", {"source": APP_LAUNCH, "facts": _facts(orders, in_channel)})
    assert response.status_code == 400
    assert message in response.json()["error"]
