"""Dashboard tokens: the captured token verifies at its own time; every wrong claim is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from plugin.saleor.captures import captured_jwks
from plugin.saleor.testing import DEFAULT_SALEOR_API_URL as CAPTURED_API_URL
from plugin.saleor.tokens import LEEWAY, DashboardUser, TokenError, verify_dashboard_token
from tests.captured_saleor import load_json

CAPTURED = load_json("tokens/app-access-token.json")
ISSUED_AT = datetime.fromtimestamp(CAPTURED["claims"]["iat"], UTC)
APP_ID = CAPTURED["claims"]["app"]


def _verify(token=CAPTURED["token"], **overrides):
    arguments = {
        "token": token,
        "jwks": captured_jwks(),
        "saleor_api_url": CAPTURED_API_URL,
        "app_id": APP_ID,
        "now": ISSUED_AT,
    }
    arguments.update(overrides)
    return verify_dashboard_token(**arguments)


def test_captured_token_verifies_at_its_issue_time():
    user = _verify()
    assert isinstance(user, DashboardUser)
    assert user.user_id == "VXNlcjoyMQ=="
    assert user.email == "admin@example.com"
    assert user.is_staff is True
    assert user.app_id == "QXBwOjQ="
    assert "MANAGE_ORDERS" in user.permissions
    assert "MANAGE_APPS" in user.user_permissions and "MANAGE_APPS" not in user.permissions
    assert user.expires_at == datetime(2026, 11, 22, 19, 4, 3, tzinfo=UTC)


def test_captured_token_has_expired_by_the_real_clock():
    with pytest.raises(TokenError) as caught:
        _verify(now=None)
    assert caught.value.status == 401
    assert "expired" in caught.value.reason


def test_expiry_has_a_small_leeway_only():
    expires = datetime.fromtimestamp(CAPTURED["claims"]["exp"], UTC)
    _verify(now=expires + LEEWAY)
    with pytest.raises(TokenError, match="expired"):
        _verify(now=expires + LEEWAY + timedelta(seconds=1))


def test_issuer_must_be_the_registered_saleor():
    _verify(saleor_api_url="http://127.0.0.1:8000/graphql")  # trailing slash is not identity
    with pytest.raises(TokenError, match="another Saleor") as caught:
        _verify(saleor_api_url="https://evil.example/graphql/")
    assert caught.value.status == 401


def test_app_claim_must_be_this_installation():
    with pytest.raises(TokenError, match="another app"):
        _verify(app_id="QXBwOjE=")


def test_required_permissions_come_from_user_permissions_and_give_403():
    _verify(required_permissions=["MANAGE_APPS", "MANAGE_ORDERS"])
    with pytest.raises(TokenError) as caught:
        _verify(required_permissions=["MANAGE_ORDERS", "MANAGE_PRODUCT_STOCK"])
    assert caught.value.status == 403
    assert caught.value.reason == "missing permission(s): MANAGE_PRODUCT_STOCK"


def test_staff_login_token_without_app_claim_is_refused():
    staff = load_json("tokens/staff-access-token.json")
    with pytest.raises(TokenError) as caught:
        _verify(token=staff["token"])
    assert caught.value.status == 401


def test_tampered_claims_break_the_signature():
    header, payload, signature = CAPTURED["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["user_permissions"].append("MANAGE_PRODUCT_STOCK")
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError, match="signature"):
        _verify(token=f"{header}.{forged_payload}.{signature}")


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 9000])
def test_garbage_tokens_are_401(token):
    with pytest.raises(TokenError) as caught:
        _verify(token=token)
    assert caught.value.status == 401


def test_fresh_token_from_test_signer_verifies_with_the_real_clock(signer):
    token = signer.mint_dashboard_token(saleor_api_url=CAPTURED_API_URL, app_id=APP_ID)
    user = _verify(token=token, jwks=signer.jwks, now=None)
    assert user.email == "admin@example.com"


def test_token_signed_by_another_key_is_refused(signer):
    token = signer.mint_dashboard_token(saleor_api_url=CAPTURED_API_URL, app_id=APP_ID)
    with pytest.raises(TokenError, match="kid"):
        _verify(token=token, now=None)  # captured JWKS does not hold the signer's key


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_alg_none_and_hs256_key_confusion_are_refused(signer):
    claims = {"iss": CAPTURED_API_URL, "app": APP_ID, "exp": 4102444800, "user_id": "x",
              "email": "x@example.com", "user_permissions": ["MANAGE_APPS"]}
    unsigned = f"{_b64({'alg': 'none', 'kid': signer.kid})}.{_b64(claims)}."
    with pytest.raises(TokenError, match="RS256"):
        _verify(token=unsigned, jwks=signer.jwks, now=None)

    pem = signer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{_b64({'alg': 'HS256', 'kid': signer.kid})}.{_b64(claims)}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(TokenError, match="RS256"):
        _verify(token=f"{signing_input}.{_b64(mac)}", jwks=signer.jwks, now=None)


def test_missing_exp_is_refused(signer):
    token = signer.mint_dashboard_token(saleor_api_url=CAPTURED_API_URL, app_id=APP_ID)
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})
    del claims["exp"]
    no_exp = jwt.encode(claims, signer.private_key, algorithm="RS256", headers={"kid": signer.kid})
    with pytest.raises(TokenError, match="exp"):
        _verify(token=no_exp, jwks=signer.jwks, now=None)
