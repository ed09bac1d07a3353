"""The fake Saleor and the capture reader: what the app's other tests stand on."""

from __future__ import annotations

import json

import pytest
from graphql import parse

from plugin.saleor.captures import captured_deliveries, captured_delivery, captured_events
from plugin.saleor.client import SaleorGraphQLError, SaleorUnavailable
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.jwks import fetch_jwks
from plugin.saleor.projection import project_data
from plugin.saleor.testing import TestSigner

ORDER_21 = "T3JkZXI6YzcwMWYxZDktMDk4Zi00ZmYxLTg3NzktYjNhMGUzYzNhNDFl"
API_URL = "http://127.0.0.1:8000/graphql/"


def test_captured_deliveries_decode_the_exact_bytes():
    deliveries = list(captured_deliveries())
    assert len(deliveries) == 81  # 87 in all minus the 6 variant deliveries
    assert len(captured_events()) == 28
    for delivery in deliveries:
        assert delivery.payload == json.loads(delivery.body)
        assert delivery.headers["Saleor-Event"] == delivery.event.lower()
        assert delivery.path.name == f"{delivery.number}.json"
    variants = [d for d in captured_deliveries(variants=True) if d.variant]
    assert len(variants) == 6


def test_captured_deliveries_filter_by_event():
    paid = list(captured_deliveries("ORDER_FULLY_PAID"))
    assert [d.event for d in paid] == ["ORDER_FULLY_PAID"] * len(paid)
    assert {d.payload["order"]["number"] for d in paid} == {"21", "23"}
    with_variants = list(captured_deliveries("CHECKOUT_CREATED", variants=True))
    assert len(with_variants) == len(list(captured_deliveries("CHECKOUT_CREATED"))) + 4


def test_fake_serves_the_captured_jwks_for_fetch():
    fake = FakeSaleor()
    jwks = fetch_jwks(API_URL, http=fake.http())
    assert jwks["keys"][0]["kid"] == "ShmT2DBpubZkP21dOT0-9Nij-Pfv7Ab7JEyBdF0V_Ko"
    assert fake.requests[0].url == "http://127.0.0.1:8000/.well-known/jwks.json"


def test_fake_can_serve_a_test_signers_jwks():
    signer = TestSigner()
    fake = FakeSaleor(api_url="https://shop.test/graphql/", jwks=signer.jwks)
    assert fetch_jwks("https://shop.test/graphql/", http=fake.http()) == signer.jwks


def test_order_get_answers_the_newest_captured_state():
    order = FakeSaleor().client().execute("order_get", {"id": ORDER_21})["order"]
    assert order["number"] == "21"
    assert order["status"] == "FULFILLED"  # after fulfilment and the refunds
    assert order["totalRefunded"]["amount"] == 84.99
    assert "billingAddress" not in order  # captured, but not asked for by order_get


def test_unknown_ids_answer_null():
    client = FakeSaleor().client()
    assert client.execute("order_get", {"id": "T3JkZXI6bm9wZQ=="}) == {"order": None}
    assert client.execute("checkout_get", {"id": "nope"}) == {"checkout": None}


def test_customer_get_by_email():
    user = FakeSaleor().client().execute("customer_get", {"email": "alice.referrer@example.com"})
    assert user["user"]["metadata"] == [  # newest state: the app added the link later
        {"key": "referral_code", "value": "ALICE-REF"},
        {"key": "referral_link", "value": "https://shop.example/r/ALICE-REF"},
    ]


def test_orders_recent_pages_and_filters_by_update_time():
    client = FakeSaleor().client()
    first = client.execute("orders_recent", {"first": 2})["orders"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    second = client.execute("orders_recent", {"first": 2, "after": after})["orders"]
    numbers = [e["node"]["number"] for e in first["edges"] + second["edges"]]
    assert sorted(numbers) == ["21", "22", "23"]
    assert second["pageInfo"]["hasNextPage"] is False
    late = client.execute("orders_recent", {"updatedSince": "2099-01-01T00:00:00+00:00"})
    assert late["orders"]["edges"] == []


def test_registered_handler_wins_over_canned_and_sees_variables():
    fake = FakeSaleor()
    seen = []

    def handler(variables):
        seen.append(variables)
        return {"order": {"id": variables["id"], "number": "99", "notAsked": 1}}

    fake.on("OrderGet", handler)
    data = fake.client().execute("order_get", {"id": "abc"})
    assert data == {"order": {"id": "abc", "number": "99"}}  # trimmed to the selection
    assert seen == [{"id": "abc"}]


def test_unanswered_operation_is_a_clear_graphql_error():
    fake = FakeSaleor(canned_answers=False)
    with pytest.raises(SaleorGraphQLError, match="no answer for operation 'Channels'"):
        fake.client().execute("channels")


def test_failures_can_target_one_operation():
    fake = FakeSaleor()
    fake.fail_next(5, operation="gift_card_create")
    client = fake.client(retries=1)
    assert client.execute("channels")["channels"][0]["slug"] == "default-channel"
    with pytest.raises(SaleorUnavailable):
        client.execute_mutation("gift_card_create", {"input": {}}, "giftCardCreate")
    # a gift card creation is never resent blindly: one request, then the failure
    assert [r.operation_name for r in fake.mutations()] == ["GiftCardCreate"]


def test_unknown_paths_are_404():
    fake = FakeSaleor()
    response = fake.http().get("http://127.0.0.1:8000/nothing")
    assert response.status_code == 404


def test_projection_applies_aliases_and_type_conditions():
    document = parse(
        "query Q { p: issuingPrincipal { __typename ... on App { id } ... on User { email } } }"
    )
    data = {"issuingPrincipal": {"__typename": "App", "id": "QXBwOjE=", "email": "x"}}
    assert project_data(data, document) == {"p": {"__typename": "App", "id": "QXBwOjE="}}


def test_captured_delivery_by_number():
    delivery = captured_delivery("ORDER_CANCELLED", 1)
    assert delivery.payload["order"]["status"] == "CANCELED"
    assert delivery.saleor_api_url == API_URL
