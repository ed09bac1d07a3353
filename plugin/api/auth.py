"""Who is asking: the shop from `Saleor-Api-Url`, the shopper from their own Saleor access token.

The token goes through the shared RS256 core (`plugin.saleor.tokens`) against that Saleor's JWKS
(refreshed once on an unknown key id); its issuer must be the installation's API URL and its type
`access`. Nothing else is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from plugin.client_address import client_address
from plugin.install.models import Installation
from plugin.install.selectors import installation_get_by_api_url
from plugin.install.services import installation_jwks_for_kid
from plugin.saleor.jwks import JWKSUnavailable
from plugin.saleor.signatures import UnknownKeyId, signing_key
from plugin.saleor.tokens import MAX_TOKEN_LENGTH, TokenError, claims_user, rs256_claims

# The shopper's answer for each check of the shared core that refused the token (None: its reason).
_REFUSALS: dict[str, tuple[str, str | None]] = {
    "unreadable": ("INVALID_TOKEN", "the token cannot be read"),
    "key": ("INVALID_TOKEN", None),
    "invalid": ("INVALID_TOKEN", "the token's signature or claims are not valid"),
    "expired": ("TOKEN_EXPIRED", "the token has expired; refresh it with Saleor"),
    "issuer": ("INVALID_TOKEN", "the token was issued by another Saleor"),
}


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

    @property
    def who(self) -> dict[str, Any]:
        """The keywords every per-customer selector and service takes: shop, id and e-mail."""
        return {
            "installation": self.installation,
            "customer_id": self.customer_id,
            "email": self.email,
        }


def installation_from_header(api_url: str | None) -> Installation:
    if not api_url:
        raise ApiAuthError("SHOP_UNKNOWN", "the Saleor-Api-Url header is required")
    found = installation_get_by_api_url(saleor_api_url=api_url.strip())
    if found is None:
        raise ApiAuthError("SHOP_UNKNOWN", "no active shop for this Saleor-Api-Url")
    return found


def _key_for(installation: Installation):
    def key_for(header: dict[str, Any]) -> Any:
        try:
            jwks = installation_jwks_for_kid(installation=installation, kid=header.get("kid"))
            return signing_key(header, jwks)
        except (UnknownKeyId, JWKSUnavailable) as exc:
            raise TokenError("the token's key is unknown", kind="key") from exc

    return key_for


def shopper_authenticate(
    *, installation: Installation, token: str, now: datetime | None = None
) -> Shopper:
    """The customer behind a Saleor access token issued by this installation's Saleor."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise ApiAuthError("UNAUTHENTICATED", "a customer access token is required")
    try:
        claims = rs256_claims(
            token=token,
            key_for=_key_for(installation),
            issuer=installation.saleor_api_url,
            required=("user_id", "email", "type"),
            now=now,
            verify_issued_at=True,
        )
    except TokenError as exc:
        code, message = _REFUSALS.get(exc.kind, ("INVALID_TOKEN", None))
        raise ApiAuthError(code, message or exc.reason) from exc
    if claims["type"] != "access":
        raise ApiAuthError("INVALID_TOKEN", "only a customer's access token is accepted")
    try:
        customer_id, email = claims_user(claims)
    except TokenError as exc:
        raise ApiAuthError("INVALID_TOKEN", "the token names no user") from exc
    return Shopper(installation=installation, customer_id=customer_id, email=email)


def bearer_token(authorization: str | None) -> str:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def caller_key(_group: str, request: HttpRequest) -> str:
    """Whom a rate limit counts (django-ratelimit's key): the signed-in shopper, else the client
    address, so shoppers behind one storefront server each have their own budget."""
    shopper = getattr(request, "shopper", None)
    if isinstance(shopper, Shopper):
        return f"shopper:{shopper.installation.pk}:{shopper.customer_id}"
    return f"address:{client_address(request)}"
