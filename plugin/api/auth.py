"""Who is asking: the shop from `Saleor-Api-Url`, the shopper from their own Saleor access token.

The token is verified as RS256 against that Saleor's JWKS (refreshed once on an unknown key id);
its issuer must be the installation's API URL and its type `access`. Nothing else is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.api_jws import PyJWS

from plugin.install.models import Installation
from plugin.install.selectors import installation_get_by_api_url
from plugin.install.services import installation_jwks
from plugin.saleor.jwks import JWKSUnavailable
from plugin.saleor.signatures import ALGORITHM, SignatureError, UnknownKeyId, signing_key

LEEWAY = timedelta(seconds=10)
MAX_TOKEN_LENGTH = 8192
_jws = PyJWS()


class ApiAuthError(Exception):
    """Authentication failed; `code` is one of the API's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Shopper:
    """A verified customer of one installation."""

    installation: Installation
    customer_id: str
    email: str
    first_name: str = ""


def installation_from_header(api_url: str | None) -> Installation:
    if not api_url:
        raise ApiAuthError("SHOP_UNKNOWN", "the Saleor-Api-Url header is required")
    found = installation_get_by_api_url(saleor_api_url=api_url.strip())
    if found is None:
        raise ApiAuthError("SHOP_UNKNOWN", "no active shop for this Saleor-Api-Url")
    return found


def _key_for(token: str, installation: Installation) -> Any:
    try:
        header = _jws.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ApiAuthError("INVALID_TOKEN", "the token cannot be read") from exc
    try:
        return signing_key(header, installation_jwks(installation=installation))
    except UnknownKeyId:
        try:  # Saleor may have rotated its key: look once more (rate-limited by the selector)
            return signing_key(header, installation_jwks(installation=installation, refresh=True))
        except (SignatureError, JWKSUnavailable) as exc:
            raise ApiAuthError("INVALID_TOKEN", "the token's key is unknown") from exc
    except SignatureError as exc:
        raise ApiAuthError("INVALID_TOKEN", exc.reason) from exc


def shopper_authenticate(
    *, installation: Installation, token: str, now: datetime | None = None
) -> Shopper:
    """The customer behind a Saleor access token issued by this installation's Saleor."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise ApiAuthError("UNAUTHENTICATED", "a customer access token is required")
    key = _key_for(token, installation)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_aud": False,
                "verify_iss": False,
                "require": ["exp", "iss", "user_id", "email", "type"],
            },
        )
    except jwt.PyJWTError as exc:
        raise ApiAuthError(
            "INVALID_TOKEN", "the token's signature or claims are not valid"
        ) from exc
    current = now or datetime.now(tz=UTC)
    if current > datetime.fromtimestamp(claims["exp"], tz=UTC) + LEEWAY:
        raise ApiAuthError("TOKEN_EXPIRED", "the token has expired; refresh it with Saleor")
    if str(claims["iss"]).rstrip("/") != installation.saleor_api_url.rstrip("/"):
        raise ApiAuthError("INVALID_TOKEN", "the token was issued by another Saleor")
    if claims["type"] != "access":
        raise ApiAuthError("INVALID_TOKEN", "only a customer's access token is accepted")
    if not isinstance(claims["user_id"], str) or not isinstance(claims["email"], str):
        raise ApiAuthError("INVALID_TOKEN", "the token names no user")
    return Shopper(installation=installation, customer_id=claims["user_id"], email=claims["email"])


def bearer_token(authorization: str | None) -> str:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
