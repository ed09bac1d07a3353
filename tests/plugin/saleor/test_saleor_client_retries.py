"""Which requests the client sends again after a failure: what a repeat cannot double, and what
never reached Saleor. A mutation whose answer was lost is reported, not resent."""

from __future__ import annotations

import pytest

from plugin.saleor.client import SaleorMutationError, SaleorOutcomeUnknown
from plugin.saleor.documents import RETRY_SAFE_MUTATIONS, document_names, load_document
from plugin.saleor.fake import FakeSaleor

CHECKOUT = "Q2hlY2tvdXQ6ZDRhMTljYTYtY2QzZi00NDc5LWFlYzktYmRkMGE0NzZiZTU1"
REMOVE = ("checkout_remove_promo_code", {"id": CHECKOUT, "promoCode": "RF-X"},
          "checkoutRemovePromoCode")


@pytest.fixture
def fake() -> FakeSaleor:
    fake = FakeSaleor()
    fake.on("checkout_remove_promo_code", lambda v: {"checkoutRemovePromoCode": {
        "checkout": {"id": v["id"], "voucherCode": None}, "errors": []}})
    return fake


@pytest.mark.parametrize(
    "failure", [{"timeout": True}, {"lost_answer": True}, {"status": 502}, {"status": 503}]
)
def test_a_mutation_whose_answer_is_lost_is_sent_once(fake, failure):
    fake.fail_next(1, **failure)
    with pytest.raises(SaleorOutcomeUnknown, match="not repeated"):
        fake.client(retries=3).execute_mutation(*REMOVE)
    assert len(fake.calls("checkout_remove_promo_code")) == 1


def test_a_mutation_that_never_reached_saleor_is_sent_again(fake):
    fake.fail_next(2, network=True)  # connection refused: Saleor saw nothing
    result = fake.client(retries=3).execute_mutation(*REMOVE)
    assert result["checkout"]["voucherCode"] is None
    assert len(fake.calls("checkout_remove_promo_code")) == 3


def test_queries_are_resent_after_a_read_timeout(fake):
    fake.fail_next(2, timeout=True)
    assert fake.client(retries=3).execute("channels")["channels"]
    assert len(fake.calls("channels")) == 3


def test_a_keyed_mutation_is_resent_after_a_lost_answer(fake):
    made: list[str] = []

    def voucher_create(variables):
        code = variables["input"]["addCodes"][0]
        if code in made:  # Saleor's answer to a code it already has
            return {"voucherCreate": {"voucher": None, "errors": [
                {"field": "codes", "code": "ALREADY_EXISTS",
                 "message": "Promo code already exists."}]}}
        made.append(code)
        return {"voucherCreate": {"voucher": {"id": "Vm91Y2hlcjo0", "code": code}, "errors": []}}

    fake.on("voucher_create", voucher_create)
    fake.fail_next(1, lost_answer=True, operation="voucher_create")
    with pytest.raises(SaleorMutationError) as raised:
        fake.client(retries=3).execute_mutation(
            "voucher_create", {"input": {"addCodes": ["RF-KEY"]}}, "voucherCreate")
    # resent, and the key made the repeat harmless: one voucher, the caller hears ALREADY_EXISTS
    assert raised.value.codes == {"ALREADY_EXISTS"}
    assert len(fake.calls("voucher_create")) == 2 and made == ["RF-KEY"]


def test_only_mutations_are_marked_retry_safe_and_every_query_is():
    for name in RETRY_SAFE_MUTATIONS:
        assert load_document(name).operation_type == "mutation", name
    for name in document_names():
        document = load_document(name)
        if document.operation_type == "query":
            assert document.retry_safe, name
        else:
            assert document.retry_safe == (name in RETRY_SAFE_MUTATIONS), name
