"""Global ids, and the app's field sets staying within the captured subscriptions."""

from __future__ import annotations

import pytest
from graphql import print_ast

from plugin.saleor.captures import captured_events, subscription_query
from plugin.saleor.documents import fragments
from plugin.saleor.ids import InvalidGlobalId, decode_global_id, encode_global_id, global_id_pk
from plugin.saleor.subscriptions import field_paths, subscription_fields_within


@pytest.mark.parametrize(
    ("global_id", "type_name", "pk"),
    [
        ("VXNlcjo0Nw==", "User", "47"),
        ("QXBwOjE=", "App", "1"),
        ("T3JkZXI6YzcwMWYxZDktMDk4Zi00ZmYxLTg3NzktYjNhMGUzYzNhNDFl", "Order",
         "c701f1d9-098f-4ff1-8779-b3a0e3c3a41e"),
    ],
)
def test_decode_and_encode_round_trip(global_id, type_name, pk):
    assert decode_global_id(global_id) == (type_name, pk)
    assert encode_global_id(type_name, pk) == global_id


@pytest.mark.parametrize("bad", ["", "!!!", "bm9jb2xvbg==", "OjQ3", "VXNlcjo=", "x" * 300, None])
def test_invalid_global_ids(bad):
    with pytest.raises(InvalidGlobalId):
        decode_global_id(bad)


def test_global_id_pk_checks_the_type():
    assert global_id_pk("VXNlcjo0Nw==", "User") == "47"
    with pytest.raises(InvalidGlobalId, match="expected a Order id"):
        global_id_pk("VXNlcjo0Nw==", "Order")


@pytest.mark.parametrize("event", captured_events())
def test_every_captured_query_is_within_itself(event):
    query = subscription_query(event)
    assert field_paths(query)
    assert subscription_fields_within(query, query) == []


def test_extra_fields_and_changed_arguments_are_reported():
    captured = subscription_query("VOUCHER_CODES_CREATED")
    wider = """
    subscription { event { issuedAt ... on VoucherCodesCreated {
      codes: voucherCodes { id code voucher { id } } } } }
    """
    assert subscription_fields_within(wider, captured) == [
        "event.voucherCodes.voucher",
        "event.voucherCodes.voucher.id",
    ]
    assert subscription_fields_within("subscription { event { issuedAt } }", captured) == []
    with pytest.raises(ValueError, match="not a GraphQL document"):
        subscription_fields_within("subscription {", captured)


def _wrapped(event_type: str, field: str, fragment: str) -> str:
    used = {fragment, "MoneyFields", "TaxedMoneyFields"}
    definitions = "\n".join(print_ast(fragments()[name]) for name in sorted(used))
    return (
        f"subscription {{ event {{ ... on {event_type} {{ {field} {{ ...{fragment} }} }} }} }}\n"
        + definitions
    )


@pytest.mark.parametrize(
    ("event", "event_type", "field", "fragment"),
    [
        ("ORDER_CREATED", "OrderCreated", "order", "OrderFields"),
        ("CHECKOUT_UPDATED", "CheckoutUpdated", "checkout", "CheckoutFields"),
        ("CUSTOMER_CREATED", "CustomerCreated", "user", "CustomerFields"),
    ],
)
def test_api_fragments_stay_within_the_captured_subscriptions(event, event_type, field, fragment):
    """So an object read back from the API maps exactly like one from a webhook."""
    query = _wrapped(event_type, field, fragment)
    assert subscription_fields_within(query, subscription_query(event)) == []
