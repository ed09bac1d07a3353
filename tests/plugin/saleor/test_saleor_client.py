"""The GraphQL client against the fake Saleor: data, typed errors, retries only where they help."""

from __future__ import annotations

import httpx
import pytest

from plugin.saleor.client import (
    SaleorAuthError,
    SaleorClient,
    SaleorError,
    SaleorGraphQLError,
    SaleorMutationError,
    SaleorUnavailable,
)
from plugin.saleor.documents import load_document
from plugin.saleor.fake import FakeSaleor

ORDER_21 = "T3JkZXI6YzcwMWYxZDktMDk4Zi00ZmYxLTg3NzktYjNhMGUzYzNhNDFl"


@pytest.fixture
def fake() -> FakeSaleor:
    return FakeSaleor()


def test_sends_the_document_with_bearer_token_and_returns_data(fake):
    data = fake.client("secret-app-token").execute("app_whoami")
    assert data["app"]["id"] == "QXBwOjE="
    (request,) = fake.calls()
    assert request.headers["authorization"] == "Bearer secret-app-token"
    assert request.operation_name == "AppWhoami"
    assert request.query == load_document("app_whoami").text


def test_no_token_sends_no_authorization(fake):
    fake.client(None).execute("channels")
    assert "authorization" not in fake.calls()[0].headers


def test_retries_5xx_with_exponential_backoff_then_succeeds(fake):
    slept: list[float] = []
    fake.fail_next(2, status=502)
    client = fake.client(retries=3, backoff=0.5, sleep=slept.append)
    assert client.execute("order_get", {"id": ORDER_21})["order"]["number"] == "21"
    assert slept == [0.5, 1.0]
    assert len(fake.calls("order_get")) == 3


@pytest.mark.parametrize("failure", [{"timeout": True}, {"network": True}, {"status": 500}])
def test_gives_up_after_the_retries_with_unavailable(fake, failure):
    fake.fail_next(10, **failure)
    with pytest.raises(SaleorUnavailable, match="after 3 attempt"):
        fake.client(retries=2).execute("channels")
    assert len(fake.calls("channels")) == 3


def test_a_real_timeout_is_retried_and_reported():
    def too_slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    client = SaleorClient(
        "http://saleor.test/graphql/",
        transport=httpx.MockTransport(too_slow),
        retries=1,
        sleep=lambda _s: None,
    )
    with pytest.raises(SaleorUnavailable, match="ReadTimeout"):
        client.execute("channels")


@pytest.mark.parametrize("status", [401, 403])
def test_http_401_403_is_an_auth_error_and_not_retried(fake, status):
    fake.on("channels", lambda _v: httpx.Response(status, json={"detail": "no"}))
    with pytest.raises(SaleorAuthError):
        fake.client().execute("channels")
    assert len(fake.calls("channels")) == 1


def test_other_4xx_is_not_retried(fake):
    fake.on("channels", lambda _v: httpx.Response(400, json={"errors": [{"message": "bad"}]}))
    with pytest.raises(SaleorGraphQLError, match="bad"):
        fake.client().execute("channels")
    assert len(fake.calls("channels")) == 1


def test_permission_denied_graphql_error_is_an_auth_error(fake):
    denied = {
        "message": "To access this path, you need one of the following permissions: MANAGE_ORDERS",
        "extensions": {"exception": {"code": "PermissionDenied"}},
    }
    fake.on("order_get", data={"order": None}, errors=[denied])
    with pytest.raises(SaleorAuthError, match="MANAGE_ORDERS"):
        fake.client().execute("order_get", {"id": ORDER_21})
    assert len(fake.calls()) == 1


def test_other_graphql_errors_carry_the_list_and_are_not_retried(fake):
    error = {"message": "Variable '$id' of required type 'ID!' was not provided."}
    fake.on("order_get", data=None, errors=[error])
    with pytest.raises(SaleorGraphQLError) as caught:
        fake.client().execute("order_get", {})
    assert caught.value.errors == [error]
    assert len(fake.calls()) == 1


def test_mutation_returns_its_result_field(fake):
    result = fake.client().execute_mutation(
        "checkout_add_promo_code", {"id": "Q2hlY2tvdXQ6eA==", "promoCode": "ALICE-REF-5OFF"},
        "checkoutAddPromoCode",
    )
    assert result["checkout"]["voucherCode"] == "ALICE-REF-5OFF"
    assert result["errors"] == []


def test_mutation_errors_raise_with_field_code_message(fake):
    """The real answer to a code that already exists (captured in voucher-behaviour.json)."""
    fake.on("voucher_create", data={"voucherCreate": {"voucher": None, "errors": [
        {"field": "codes", "code": "ALREADY_EXISTS", "message": "Promo code already exists.",
         "voucherCodes": None}
    ]}})
    with pytest.raises(SaleorMutationError) as caught:
        fake.client().execute_mutation("voucher_create", {"input": {}}, "voucherCreate")
    assert caught.value.codes == {"ALREADY_EXISTS"}
    assert caught.value.errors[0]["field"] == "codes"
    assert "Promo code already exists." in str(caught.value)
    assert len(fake.mutations()) == 1


def test_bulk_delete_errors_say_path_and_come_out_as_field(fake):
    fake.on("voucher_code_delete", data={"voucherCodeBulkDelete": {"count": 0, "errors": [
        {"path": "ids.0", "code": "NOT_FOUND", "message": "Couldn't resolve", "voucherCodes": []}
    ]}})
    with pytest.raises(SaleorMutationError) as caught:
        fake.client().execute_mutation(
            "voucher_code_delete", {"ids": ["x"]}, "voucherCodeBulkDelete"
        )
    assert caught.value.errors[0]["field"] == "ids.0"


def test_missing_result_field_is_an_error(fake):
    fake.on("voucher_create", data={"somethingElse": {}})
    with pytest.raises(SaleorError):
        fake.client().execute_mutation("voucher_create", {"input": {}}, "voucherCreate")


def test_non_json_answer_is_a_graphql_error(fake):
    fake.on("channels", lambda _v: httpx.Response(200, text="<html>proxy</html>"))
    with pytest.raises(SaleorGraphQLError, match="not JSON"):
        fake.client().execute("channels")


def test_a_partial_answer_gives_its_data_and_the_errors_of_the_parts_saleor_left_null(fake):
    error = {"message": 'Expected a value of type "OrderOriginEnum" but received: ',
             "path": ["orders", "edges", 1, "node", "origin"]}
    fake.on("orders_facts", data={"orders": {"edges": [{"node": {"id": "a"}}, {"node": None}]}},
            errors=[error])
    answer = fake.client().execute_partial("orders_facts", {"first": 2})
    assert answer.data["orders"]["edges"][0]["node"] == {"id": "a"}
    assert answer.errors == [error]
    with pytest.raises(SaleorGraphQLError, match="OrderOriginEnum"):
        fake.client().execute("orders_facts", {"first": 2})  # whole answers only
    assert len(fake.calls("orders_facts")) == 2  # and neither was retried


def test_a_partial_answer_without_any_data_is_an_error_with_saleors_words(fake):
    fake.on("orders_facts", data={"orders": None},
            errors=[{"message": "boom", "path": ["orders"]}])
    with pytest.raises(SaleorGraphQLError, match="OrdersFacts: boom"):
        fake.client().execute_partial("orders_facts")
    expired = {"message": "Signature has expired",
               "extensions": {"exception": {"code": "ExpiredSignatureError"}}}
    fake.on("orders_facts", errors=[expired])
    with pytest.raises(SaleorAuthError):
        fake.client().execute_partial("orders_facts")
