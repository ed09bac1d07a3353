"""Shopper tokens through the shared RS256 core: each refusal keeps its own code and wording."""

from __future__ import annotations

import pytest

from plugin.api.auth import ApiAuthError, shopper_authenticate
from plugin.saleor.testing import TestSigner

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("make_token", "code", "message"),
    [
        (lambda mint: "", "UNAUTHENTICATED", "a customer access token is required"),
        (lambda mint: "x" * 9000, "UNAUTHENTICATED", "a customer access token is required"),
        (lambda mint: "not.a.jwt", "INVALID_TOKEN", "the token cannot be read"),
        (lambda mint: mint(key=TestSigner()), "INVALID_TOKEN", "the token's key is unknown"),
        (lambda mint: mint(exp="soon"), "INVALID_TOKEN",
         "the token's signature or claims are not valid"),
        (lambda mint: mint(lifetime=-60), "TOKEN_EXPIRED",
         "the token has expired; refresh it with Saleor"),
        (lambda mint: mint(iss="https://other-saleor.example/graphql/"), "INVALID_TOKEN",
         "the token was issued by another Saleor"),
        (lambda mint: mint(type="refresh"), "INVALID_TOKEN",
         "only a customer's access token is accepted"),
        (lambda mint: mint(user_id=7), "INVALID_TOKEN", "the token names no user"),
    ],
    ids=["empty", "too-long", "garbage", "stranger-key", "exp-not-a-number", "expired",
         "other-issuer", "refresh-token", "no-user"],
)
def test_each_refusal_has_its_code_and_message(
    shop, customer_token, fake_saleor, make_token, code, message
):
    # fake_saleor answers the one JWKS refresh an unknown key id earns (with keys lacking it).
    with pytest.raises(ApiAuthError) as caught:
        shopper_authenticate(installation=shop, token=make_token(customer_token))
    assert (caught.value.code, caught.value.message) == (code, message)


def test_a_good_token_names_the_shopper(shop, customer_token):
    shopper = shopper_authenticate(installation=shop, token=customer_token())
    assert (shopper.customer_id, shopper.email) == ("VXNlcjo0Nw==", "bob.friend@example.com")
    assert shopper.who == {
        "installation": shop, "customer_id": "VXNlcjo0Nw==", "email": "bob.friend@example.com"
    }
