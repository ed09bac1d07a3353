"""A stand-in signer for Saleor: a fresh RSA key that signs webhooks and mints dashboard tokens.

Tests, the demo and benchmarks use it to make new signed deliveries. It holds no key of any
real Saleor; its JWKS has the same shape as the one Saleor serves.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

DEFAULT_SALEOR_API_URL = "http://127.0.0.1:8000/graphql/"
DEFAULT_APP_ID = "QXBwOjQ="  # App:4, the installed app of the captures
DEFAULT_PERMISSIONS = (
    "MANAGE_GIFT_CARD",
    "MANAGE_CHECKOUTS",
    "MANAGE_DISCOUNTS",
    "MANAGE_USERS",
    "MANAGE_ORDERS",
    "HANDLE_CHECKOUTS",
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TestSigner:
    """Signs like Saleor does, with its own throwaway RSA key (`kid` = RFC 7638 thumbprint)."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, key_size: int = 2048, kid: str | None = None) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        public_jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.kid = kid or self._thumbprint(public_jwk)
        public_jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256", "key_ops": ["verify"]})
        self.jwks: dict[str, Any] = {"keys": [public_jwk]}

    @staticmethod
    def _thumbprint(jwk: dict[str, Any]) -> str:
        digest = hashes.Hash(hashes.SHA256())
        members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
        digest.update(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
        return _b64url(digest.finalize())

    def sign_webhook(self, body: bytes, *, header_overrides: dict[str, Any] | None = None) -> str:
        """`Saleor-Signature` for `body`: `<b64url(header)>..<b64url(RS256 signature)>`."""
        header = {"alg": "RS256", "b64": False, "crit": ["b64"], "kid": self.kid, "typ": "JWT"}
        header.update(header_overrides or {})
        encoded_header = _b64url(json.dumps(header, separators=(",", ":")).encode())
        signature = self.private_key.sign(
            encoded_header.encode("ascii") + b"." + body, padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{encoded_header}..{_b64url(signature)}"

    def mint_dashboard_token(
        self,
        *,
        saleor_api_url: str = DEFAULT_SALEOR_API_URL,
        app_id: str = DEFAULT_APP_ID,
        user_id: str = "VXNlcjoyMQ==",
        email: str = "admin@example.com",
        is_staff: bool = True,
        permissions: tuple[str, ...] = DEFAULT_PERMISSIONS,
        user_permissions: tuple[str, ...] = DEFAULT_PERMISSIONS,
        issued_at: int | None = None,
        lifetime: int = 300,
        **extra_claims: Any,
    ) -> str:
        """A JWT with the claims Saleor 3.24 puts in the dashboard's app token."""
        iat = int(time.time()) if issued_at is None else issued_at
        claims: dict[str, Any] = {
            "iat": iat,
            "owner": "saleor",
            "iss": saleor_api_url,
            "exp": iat + lifetime,
            "token": "test-token",
            "email": email,
            "type": "thirdparty",
            "user_id": user_id,
            "is_staff": is_staff,
            "app": app_id,
            "permissions": list(permissions),
            "user_permissions": list(user_permissions),
        }
        claims.update(extra_claims)
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})
