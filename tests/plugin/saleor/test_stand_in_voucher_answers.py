"""The stand-in Saleor answers voucher and promo-code calls as Saleor 3.24 did when captured
(`tests/captured/api/voucher-behaviour.json`), so the retry tests built on it speak Saleor."""

from __future__ import annotations

import pytest

from plugin.saleor.fake_rewards import RewardsSaleorState
from tests.captured_saleor import load_json

CAPTURED = {entry["label"]: entry for entry in load_json("api/voucher-behaviour.json")}
CHECKOUT = "Q2hlY2tvdXQ6ZDRhMTljYTYtY2QzZi00NDc5LWFlYzktYmRkMGE0NzZiZTU1"


def _captured(label: str, mutation: str) -> dict:
    return CAPTURED[label]["response"]["data"][mutation]


def _errors(answer: dict) -> list[tuple]:
    return [(e["field"], e["code"], e["message"]) for e in answer["errors"]]


@pytest.fixture
def shop() -> RewardsSaleorState:
    shop = RewardsSaleorState()
    shop.voucher_create({"input": CAPTURED["voucherCreate singleUse FIXED 10 (app token)"][
        "variables"]["i"]})
    return shop


def test_a_code_saleor_already_holds_is_already_exists(shop):
    again = CAPTURED["voucherCreate with a code that already exists"]
    answer = shop.voucher_create({"input": again["variables"]["i"]})["voucherCreate"]
    expected = _captured("voucherCreate with a code that already exists", "voucherCreate")
    assert answer["voucher"] is None and _errors(answer) == _errors(expected)


def test_codes_are_case_sensitive(shop):
    lower = CAPTURED["voucherCreate code lowercase (case handling)"]
    answer = shop.voucher_create({"input": lower["variables"]["i"]})["voucherCreate"]
    assert answer["errors"] == [] and answer["voucher"]["code"] == "ref-a-52352"


def test_an_unknown_code_is_invalid_and_a_second_code_replaces_the_first(shop):
    unknown = shop.checkout_add_promo_code({"id": CHECKOUT, "promoCode": "NO-SUCH-CODE"})
    expected = _captured("checkoutAddPromoCode unknown code", "checkoutAddPromoCode")
    assert _errors(unknown["checkoutAddPromoCode"]) == _errors(expected)

    shop.voucher_create({"input": CAPTURED["voucherCreate PERCENTAGE 20 (app token)"][
        "variables"]["i"]})
    for code in ("REF-A-52352", "REF-B-52352"):
        shop.checkout_add_promo_code({"id": CHECKOUT, "promoCode": code})
    replaced = _captured("checkoutAddPromoCode B while A applied (replace or error?)",
                         "checkoutAddPromoCode")
    assert shop.checkout_codes[CHECKOUT] == replaced["checkout"]["voucherCode"] == "REF-B-52352"


def test_removing_a_code_that_is_not_on_the_checkout_is_saleors_invalid_answer(shop):
    shop.checkout_add_promo_code({"id": CHECKOUT, "promoCode": "REF-A-52352"})
    first = shop.checkout_remove_promo_code({"id": CHECKOUT, "promoCode": "REF-A-52352"})
    again = shop.checkout_remove_promo_code({"id": CHECKOUT, "promoCode": "REF-A-52352"})
    assert first["checkoutRemovePromoCode"]["errors"] == []
    assert _errors(again["checkoutRemovePromoCode"]) == [
        ("promoCode", "INVALID", "Cannot remove a voucher not attached to this checkout.")
    ]
