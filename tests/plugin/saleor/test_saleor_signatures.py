"""Webhook signatures: every captured delivery verifies; every tampering gives the right error."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization

from plugin.saleor.captures import captured_deliveries, captured_delivery
from plugin.saleor.signatures import (
    BadSignature,
    MalformedSignature,
    SignatureError,
    UnknownKeyId,
    verify_legacy_hmac,
    verify_webhook_signature,
)

ALL_DELIVERIES = list(captured_deliveries(variants=True))
JWS_DELIVERIES = [d for d in ALL_DELIVERIES if d.is_jws]
HMAC_DELIVERIES = [d for d in ALL_DELIVERIES if not d.is_jws]
# The deprecated secretKey the capture run gave its second CHECKOUT_CREATED webhook.
CAPTURED_HMAC_SECRET = "local-hmac-secret"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _header_of(signature: str) -> dict:
    encoded = signature.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def test_the_capture_set_has_83_jws_and_4_hmac_deliveries():
    assert len(JWS_DELIVERIES) == 83
    assert len(HMAC_DELIVERIES) == 4
    assert all(d.signature_check["valid"] for d in ALL_DELIVERIES)


@pytest.mark.parametrize("delivery", JWS_DELIVERIES, ids=lambda d: f"{d.event}-{d.path.stem}")
def test_every_captured_jws_delivery_verifies(delivery, jwks):
    verify_webhook_signature(body=delivery.body, signature=delivery.signature, jwks=jwks)


@pytest.mark.parametrize("delivery", HMAC_DELIVERIES, ids=lambda d: d.path.stem)
def test_legacy_hmac_deliveries_verify_with_their_secret_only(delivery):
    secret = CAPTURED_HMAC_SECRET
    verify_legacy_hmac(body=delivery.body, signature=delivery.signature, secret=secret)
    with pytest.raises(BadSignature):
        verify_legacy_hmac(body=delivery.body, signature=delivery.signature, secret="other")
    with pytest.raises(BadSignature):
        verify_legacy_hmac(
            body=delivery.body + b" ", signature=delivery.signature, secret=CAPTURED_HMAC_SECRET
        )


def test_legacy_hmac_refuses_empty_secret_and_non_hex_signature():
    delivery = HMAC_DELIVERIES[0]
    with pytest.raises(MalformedSignature):
        verify_legacy_hmac(body=delivery.body, signature=delivery.signature, secret="")
    with pytest.raises(MalformedSignature):
        verify_legacy_hmac(body=delivery.body, signature="abc", secret=CAPTURED_HMAC_SECRET)


def test_hmac_signature_is_not_accepted_as_jws(jwks):
    delivery = HMAC_DELIVERIES[0]
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=delivery.body, signature=delivery.signature, jwks=jwks)


@pytest.mark.parametrize("position", [0, 1, 100, -2, -1])
def test_any_changed_byte_is_a_bad_signature(position, jwks):
    delivery = captured_delivery("ORDER_CREATED", 1)
    body = bytearray(delivery.body)
    body[position] ^= 0x01
    with pytest.raises(BadSignature) as caught:
        verify_webhook_signature(body=bytes(body), signature=delivery.signature, jwks=jwks)
    assert caught.value.reason == "signature does not match the body"


def test_reserialised_json_does_not_verify(jwks):
    delivery = captured_delivery("ORDER_CREATED", 1)
    compact = json.dumps(delivery.payload, separators=(",", ":")).encode()
    with pytest.raises(BadSignature):
        verify_webhook_signature(body=compact, signature=delivery.signature, jwks=jwks)


def test_signature_of_another_delivery_does_not_verify(jwks):
    first, second = captured_delivery("ORDER_UPDATED", 1), captured_delivery("ORDER_UPDATED", 2)
    with pytest.raises(BadSignature):
        verify_webhook_signature(body=first.body, signature=second.signature, jwks=jwks)


def test_unknown_kid_asks_for_a_jwks_refresh(jwks, signer):
    body = b'{"hello": "world"}'
    with pytest.raises(UnknownKeyId) as caught:
        verify_webhook_signature(body=body, signature=signer.sign_webhook(body), jwks=jwks)
    assert caught.value.kid == signer.kid
    # and the other way round: a real delivery against a key set that lacks Saleor's key
    delivery = captured_delivery("CHECKOUT_CREATED", 1)
    with pytest.raises(UnknownKeyId):
        verify_webhook_signature(body=delivery.body, signature=delivery.signature, jwks=signer.jwks)


def test_a_forged_signature_under_the_real_kid_is_bad(jwks, signer):
    body = captured_delivery("ORDER_PAID", 1).body
    kid = jwks["keys"][0]["kid"]
    forged = signer.sign_webhook(body, header_overrides={"kid": kid})
    with pytest.raises(BadSignature):
        verify_webhook_signature(body=body, signature=forged, jwks=jwks)


def test_fresh_test_signer_deliveries_verify_and_tampering_fails(signer):
    body = captured_delivery("ORDER_PAID", 1).body
    signature = signer.sign_webhook(body)
    verify_webhook_signature(body=body, signature=signature, jwks=signer.jwks)
    with pytest.raises(BadSignature):
        verify_webhook_signature(body=body[:-1], signature=signature, jwks=signer.jwks)


def test_test_signer_kid_is_the_rfc7638_thumbprint_like_saleors(jwks):
    key = jwks["keys"][0]
    members = json.dumps({"e": key["e"], "kty": "RSA", "n": key["n"]}, separators=(",", ":"))
    assert _b64url(hashlib.sha256(members.encode()).digest()) == key["kid"]


@pytest.mark.parametrize(
    "signature",
    ["", "not-a-jws", "a.b.c", "..", "abc..", "..abc", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "x" * 5000],
)
def test_garbled_signatures_are_malformed(signature, jwks):
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=b"{}", signature=signature, jwks=jwks)


def test_dropped_header_is_malformed(jwks):
    delivery = captured_delivery("ORDER_CREATED", 1)
    without_header = "." + delivery.signature.split(".", 1)[1]
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=delivery.body, signature=without_header, jwks=jwks)


def test_garbled_header_is_malformed(jwks):
    delivery = captured_delivery("ORDER_CREATED", 1)
    _header, _, sig = delivery.signature.split(".")
    for bad_header in ["!!!!", _b64url(b"not json"), _b64url(b"[1, 2]")]:
        with pytest.raises(MalformedSignature):
            verify_webhook_signature(
                body=delivery.body, signature=f"{bad_header}..{sig}", jwks=jwks
            )


def _with_header(signature: str, **changes) -> str:
    header = {**_header_of(signature), **changes}
    header = {k: v for k, v in header.items() if v is not None}
    _old, _, sig = signature.split(".")
    return f"{_b64url(json.dumps(header).encode())}..{sig}"


@pytest.mark.parametrize(
    "changes",
    [
        {"alg": "HS256"},
        {"alg": "none"},
        {"alg": "RS512"},
        {"alg": "PS256"},
        {"alg": None},
        {"kid": None},
        {"kid": 7},
        {"b64": None},
        {"b64": True},
        {"crit": None},
    ],
    ids=str,
)
def test_changed_header_fields_are_refused(changes, jwks):
    delivery = captured_delivery("ORDER_CREATED", 1)
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(
            body=delivery.body, signature=_with_header(delivery.signature, **changes), jwks=jwks
        )


def test_hs256_signed_with_the_public_key_is_refused(jwks, signer):
    """The classic key-confusion attack: HMAC keyed with the RSA public key's PEM."""
    body = b'{"order": "forged"}'
    header = {"alg": "HS256", "b64": False, "crit": ["b64"], "kid": signer.kid}
    encoded = _b64url(json.dumps(header).encode())
    pem = signer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    mac = hmac.new(pem, encoded.encode() + b"." + body, hashlib.sha256).digest()
    with pytest.raises(MalformedSignature) as caught:
        forged = f"{encoded}..{_b64url(mac)}"
        verify_webhook_signature(body=body, signature=forged, jwks=signer.jwks)
    assert "RS256" in caught.value.reason


def test_alg_none_with_empty_signature_is_refused(signer):
    header = _b64url(json.dumps({"alg": "none", "b64": False, "crit": ["b64"]}).encode())
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=b"{}", signature=f"{header}..", jwks=signer.jwks)


def test_attached_payload_jws_is_refused(signer):
    """A normal compact JWS (payload inside) is not Saleor's detached form."""
    import jwt

    token = jwt.api_jws.PyJWS().encode(
        b"{}", signer.private_key, algorithm="RS256", headers={"kid": signer.kid}
    )
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=b"{}", signature=token, jwks=signer.jwks)


def test_every_error_carries_a_reason(jwks):
    with pytest.raises(SignatureError) as caught:
        verify_webhook_signature(body=b"{}", signature="", jwks=jwks)
    assert caught.value.reason == "missing Saleor-Signature"


def test_an_unusable_jwks_is_malformed_not_a_crash():
    delivery = captured_delivery("ORDER_CREATED", 1)
    for bad in [{"keys": []}, {"keys": [{"kty": "nope"}]}, {}]:
        with pytest.raises(SignatureError):
            verify_webhook_signature(body=delivery.body, signature=delivery.signature, jwks=bad)


def test_unknown_critical_extensions_are_refused(jwks):
    delivery = captured_delivery("ORDER_CREATED", 1)
    extended = _with_header(delivery.signature, crit=["b64", "exp"])
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=delivery.body, signature=extended, jwks=jwks)


def test_a_non_rsa_key_under_the_kid_is_refused(signer):
    body = b"{}"
    oct_key = {"kty": "oct", "kid": signer.kid, "k": _b64url(b"secret"), "alg": "HS256"}
    symmetric = {"keys": [oct_key]}
    with pytest.raises(MalformedSignature):
        verify_webhook_signature(body=body, signature=signer.sign_webhook(body), jwks=symmetric)
