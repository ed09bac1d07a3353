"""Every dashboard endpoint needs a verified Saleor token for its installation, else 401/403."""

from __future__ import annotations

import time

import pytest

from plugin.install.http import use_saleor_transport
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.testing import TestSigner
from tests.captured_saleor import load_json

SHOP_URL = "https://shop-a.example.com/graphql/"  # as in conftest.py
SHOP_APP_ID = "QXBwOjc="
OTHER_URL = "https://shop-b.example.com/graphql/"
OTHER_APP_ID = "QXBwOjg="

ENDPOINTS = [
    ("get", "program"), ("put", "program/draft"), ("post", "program/publish"),
    ("post", "program/rollback"), ("get", "program/diff"), ("get", "audit"), ("post", "check"),
    ("post", "types"), ("post", "sandbox"), ("get", "vocabulary"), ("get", "gallery"),
    ("get", "orders/recent"),
]


def call(dash, method, path):
    return getattr(dash, method)(path) if method == "get" else getattr(dash, method)(path, {})


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_missing_token_is_401_everywhere(make_dash, method, path):
    response = call(make_dash(None), method, path)
    assert response.status_code == 401
    assert "missing dashboard token" in response.json()["error"]


def test_missing_saleor_api_url_is_401(make_dash, staff_token):
    response = make_dash(staff_token, api_url=None).get("program")
    assert response.status_code == 401
    assert "saleor-api-url" in response.json()["error"]


def test_valid_token_is_let_through_and_names_the_user(dash):
    response = dash.get("program")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "ann@shop-a.example.com"


def test_unknown_saleor_is_403(make_dash, signer):
    token = signer.mint_dashboard_token(saleor_api_url="https://nobody.example.com/graphql/",
                                        app_id=SHOP_APP_ID)
    response = make_dash(token, api_url="https://nobody.example.com/graphql/").get("program")
    assert response.status_code == 403


def test_uninstalled_shop_is_403(make_dash, shop, staff_token):
    shop.is_active = False
    shop.save()
    assert make_dash(staff_token).get("program").status_code == 403


def test_expired_token_is_401(make_dash, signer):
    token = signer.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID,
                                        issued_at=int(time.time()) - 3600)
    response = make_dash(token).get("program")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]


def test_forged_token_with_the_shops_kid_is_401(make_dash, signer):
    forger = TestSigner(kid=signer.kid)  # same key id, another key
    token = forger.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID)
    response = make_dash(token).get("program")
    assert response.status_code == 401
    assert "signature" in response.json()["error"]


def test_token_of_an_unknown_key_refetches_jwks_once_then_is_401(make_dash):
    fake = FakeSaleor(api_url=SHOP_URL)  # serves the captured JWKS, not the forger's key
    token = TestSigner().mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID)
    with use_saleor_transport(fake.transport):
        response = make_dash(token).get("program")
    assert response.status_code == 401
    jwks_fetches = [r for r in fake.requests if r.operation_name is None]
    assert len(jwks_fetches) == 1


def test_other_installations_token_is_refused(make_dash, other_shop, other_signer):
    token_b = other_signer.mint_dashboard_token(saleor_api_url=OTHER_URL, app_id=OTHER_APP_ID)
    # Shop B's genuine token is good for shop B...
    assert make_dash(token_b, api_url=OTHER_URL).get("program").status_code == 200
    # ...and refused when presented to shop A (B's key, B's issuer, B's app).
    refused = make_dash(token_b, api_url=SHOP_URL).get("program")
    assert refused.status_code == 401


def test_token_for_another_app_on_the_same_saleor_is_401(make_dash, signer):
    token = signer.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=OTHER_APP_ID)
    response = make_dash(token).get("program")
    assert response.status_code == 401
    assert "another app" in response.json()["error"]


def test_token_issued_by_another_saleor_is_401(make_dash, signer):
    token = signer.mint_dashboard_token(saleor_api_url=OTHER_URL, app_id=SHOP_APP_ID)
    assert make_dash(token).get("program").status_code == 401


def test_captured_real_token_is_refused_once_expired(client, captured_installation):
    # A token the real Saleor 3.24 minted for the app; it lived 5 minutes, long ago.
    token = load_json("tokens/app-access-token.json")["app"]["accessToken"]
    response = client.get("/dashboard/api/program", headers={
        "authorization-bearer": token,
        "saleor-api-url": captured_installation.saleor_api_url,
    })
    assert response.status_code == 401
    assert "expired" in response.json()["error"]


def test_staff_without_discount_permission_cannot_publish_but_can_read(make_dash, signer):
    token = signer.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID,
                                        user_permissions=("MANAGE_ORDERS",))
    dash = make_dash(token)
    assert dash.get("program").status_code == 200
    refused = dash.post("program/publish", {})
    assert refused.status_code == 403
    assert "MANAGE_DISCOUNTS" in refused.json()["error"]


def test_wrong_method_is_405(dash):
    response = dash.get("program/publish")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_no_cookie_is_set_or_needed(dash):
    response = dash.get("program")
    assert not response.cookies
