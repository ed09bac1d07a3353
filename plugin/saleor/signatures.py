"""Verifies Saleor webhook signatures: detached JWS (RS256, RFC 7797) and the legacy HMAC form.

The algorithm is pinned to RS256 here; the `alg` in the (attacker-controlled) header is only
checked against it, never trusted. The header is read once with a strict base64url check, then
PyJWT's RS256 algorithm verifies the signature (half the cost of a second full JWS parse).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.api_jwk import PyJWKSet
from saleor_sdk.crypto.exceptions import JWKSKeyMissing, KeyIDMissing
from saleor_sdk.crypto.utils import get_key_from_jwks, get_kid

ALGORITHM = "RS256"
_MAX_SIGNATURE_LENGTH = 4096
_RS256 = RSAAlgorithm(RSAAlgorithm.SHA256)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class SignatureError(Exception):
    """A webhook signature that does not prove Saleor sent these bytes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedSignature(SignatureError):
    """Not a detached JWS of the expected form (missing, garbled, wrong header, wrong alg)."""


class UnknownKeyId(SignatureError):
    """The `kid` is not in the JWKS: refresh the JWKS once and try again."""

    def __init__(self, reason: str, kid: str) -> None:
        super().__init__(reason)
        self.kid = kid


class BadSignature(SignatureError):
    """Well-formed, known key, but the signature does not match the body."""


@lru_cache(maxsize=64)
def _parsed_key_set(canonical_jwks: str) -> PyJWKSet:
    return PyJWKSet.from_json(canonical_jwks)


def key_set(jwks: dict[str, Any]) -> PyJWKSet:
    """A PyJWT key set from a JWKS dict, refusing an unusable one (parsed keys are cached)."""
    try:
        return _parsed_key_set(json.dumps(jwks, sort_keys=True))
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise MalformedSignature(f"the JWKS holds no usable key: {exc}") from exc


def signing_key(header: dict[str, Any], jwks: dict[str, Any]) -> Any:
    """The RSA public key the header's `kid` names; pins `alg` to RS256."""
    if header.get("alg") != ALGORITHM:
        raise MalformedSignature(f"algorithm {header.get('alg')!r} is not accepted, only RS256")
    try:
        kid = get_kid(header)
    except KeyIDMissing as exc:
        raise MalformedSignature("signature header has no 'kid'") from exc
    if not isinstance(kid, str):
        raise MalformedSignature("signature header 'kid' is not a string")
    try:
        key = get_key_from_jwks(kid, key_set(jwks))
    except JWKSKeyMissing as exc:
        raise UnknownKeyId(f"no key with kid {kid!r} in the JWKS", kid) from exc
    if not isinstance(key, RSAPublicKey):
        raise MalformedSignature(f"key {kid!r} in the JWKS is not an RSA public key")
    return key


def _b64url_decode(segment: str, what: str) -> bytes:
    """Strict base64url without padding; refuses other alphabets and non-canonical forms."""
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise MalformedSignature(f"signature {what} is not base64url")
    try:
        decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedSignature(f"signature {what} is not base64url") from exc
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != segment.encode("ascii"):
        raise MalformedSignature(f"signature {what} is not canonical base64url")
    return decoded


def _header(segment: str) -> dict[str, Any]:
    try:
        header = json.loads(_b64url_decode(segment, "header"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedSignature("signature header is not JSON") from exc
    if not isinstance(header, dict):
        raise MalformedSignature("signature header is not a JSON object")
    return header


def verify_webhook_signature(*, body: bytes, signature: str, jwks: dict[str, Any]) -> None:
    """Raises a `SignatureError` unless `signature` is Saleor's JWS over exactly `body`."""
    if not signature or not isinstance(signature, str):
        raise MalformedSignature("missing Saleor-Signature")
    if len(signature) > _MAX_SIGNATURE_LENGTH:
        raise MalformedSignature("Saleor-Signature is too long")
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "" or not parts[0] or not parts[2]:
        raise MalformedSignature("Saleor-Signature is not a detached JWS '<header>..<signature>'")
    header_segment, _, signature_segment = parts
    header = _header(header_segment)
    if header.get("b64") is not False or header.get("crit") != ["b64"]:
        # RFC 7515 §4.1.11: an unknown critical extension must be refused, so only b64 is allowed
        raise MalformedSignature("signature header must declare an unencoded payload (b64: false)")
    key = signing_key(header, jwks)  # refuses any alg but RS256, and non-RSA keys
    signature_bytes = _b64url_decode(signature_segment, "value")
    # RFC 7797: the signing input is the encoded header, a dot, and the raw payload bytes
    signing_input = header_segment.encode("ascii") + b"." + body
    if not _RS256.verify(signing_input, key, signature_bytes):
        raise BadSignature("signature does not match the body")


def verify_legacy_hmac(*, body: bytes, signature: str, secret: str | bytes) -> None:
    """The deprecated `secretKey` form: hex HMAC-SHA256 over the body. Opt-in only."""
    if not secret:
        raise MalformedSignature("no webhook secret configured for HMAC signatures")
    if not signature or len(signature) != 64:
        raise MalformedSignature("Saleor-Signature is not a hex HMAC-SHA256")
    key = secret.encode() if isinstance(secret, str) else secret
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise BadSignature("HMAC signature does not match the body")
