"""Every document the app sends is valid against the captured Saleor 3.24 schema."""

from __future__ import annotations

from functools import cache

import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from plugin.saleor.documents import (
    DOCUMENTS_DIR,
    UnknownDocument,
    document_names,
    fragments,
    load_document,
)
from tests.captured_saleor import schema_sdl

REQUIRED = {
    "app_whoami",
    "channels",
    "checkout_add_promo_code",
    "checkout_get",
    "checkout_remove_promo_code",
    "customer_metadata_update",
    "customers_page",
    "gift_card_create",
    "gift_card_update",
    "order_get",
    "order_reread",
    "orders_recent",
    "voucher_add_codes",
    "voucher_channel_listing_update",
    "voucher_code_delete",
    "voucher_create",
}


@cache
def schema() -> GraphQLSchema:
    return build_schema(schema_sdl())


def schema_errors(text: str) -> list[str]:
    return [error.message for error in validate(schema(), parse(text))]


def test_the_documents_others_rely_on_exist():
    assert set(document_names()) >= REQUIRED


@pytest.mark.parametrize("name", document_names())
def test_every_document_validates_against_the_schema(name):
    document = load_document(name)
    assert schema_errors(document.text) == []
    assert document.operation_type in {"query", "mutation"}
    assert document.operation_name == "".join(p.capitalize() for p in name.split("_"))


def test_every_shared_fragment_validates_when_used():
    used = set()
    for name in document_names():
        used |= {f for f in fragments() if f"fragment {f} " in load_document(name).text}
    assert used == set(fragments())


def test_the_check_catches_an_invalid_document():
    broken = "query Broken { order(id: \"x\") { id totalPriceThatDoesNotExist } }"
    assert any("totalPriceThatDoesNotExist" in m for m in schema_errors(broken))
    missing_var = "mutation M { giftCardCreate(input: {balance: {amount: 1}}) { errors { code } } }"
    assert schema_errors(missing_var)


def test_documents_are_loaded_once_and_unknown_ones_are_refused():
    assert load_document("order_get") is load_document("order_get")
    for bad in ["nope", "../schema", "fragments/money"]:
        with pytest.raises(UnknownDocument):
            load_document(bad)


def test_no_stray_files_in_the_documents_folder():
    stray = [p.name for p in DOCUMENTS_DIR.iterdir()
             if p.is_file() and not p.name.endswith(".graphql")]
    assert stray == []


def test_a_retry_asks_for_the_order_fields_the_app_reads_and_no_others():
    # Saleor cannot answer some fields of real orders (a blank `origin` on the sample shop's).
    text = load_document("order_reread").text
    assert "...OrderFields" in text and "shippingAddress" in text
    assert not {"origin", "original", "transactions", "billingAddress"} & set(
        text.replace("{", " ").replace("}", " ").split())
