"""Verifies the JWT the Saleor dashboard hands to the app's page (App Bridge `handshake` token)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.api_jws import PyJWS
from jwt.api_jwt import PyJWT

from plugin.saleor.signatures import ALGORITHM, SignatureError, signing_key

LEEWAY = timedelta(seconds=10)  # clock skew between Saleor and the app
_MAX_TOKEN_LENGTH = 8192
_jwt = PyJWT(options={"verify_signature": True})
_jws = PyJWS()


class TokenError(Exception):
    """A dashboard token that does not let this request through; `status` is 401 or 403."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class DashboardUser:
    """The staff user behind a verified dashboard token."""

    user_id: str
    email: str
    is_staff: bool
    app_id: str
    permissions: tuple[str, ...]  # the app's permissions this user also has
    user_permissions: tuple[str, ...]  # the staff user's own permissions
    expires_at: datetime


def _normalised_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _str_list(value: Any, claim: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TokenError(f"claim {claim!r} is not a list of strings")
    return tuple(value)


def _decode(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    try:
        header = _jws.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenError(f"token cannot be read: {exc}") from exc
    try:
        key = signing_key(header, jwks)
    except SignatureError as exc:
        raise TokenError(exc.reason) from exc
    try:
        # Expiry is checked by the caller against its own `now` (testable, with leeway).
        return _jwt.decode(
            token,
            key=key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                     "verify_aud": False, "verify_iss": False, "require": ["exp", "iss", "app"]},
        )
    except jwt.InvalidSignatureError as exc:
        raise TokenError("token signature is not valid") from exc
    except jwt.PyJWTError as exc:
        raise TokenError(f"token is not valid: {exc}") from exc


def verify_dashboard_token(
    *,
    token: str,
    jwks: dict[str, Any],
    saleor_api_url: str,
    app_id: str,
    now: datetime | None = None,
    required_permissions: Iterable[str] = (),
) -> DashboardUser:
    """Checks signature (RS256), expiry, issuer, app and permissions; returns the staff user."""
    if not token or not isinstance(token, str):
        raise TokenError("missing dashboard token")
    if len(token) > _MAX_TOKEN_LENGTH:
        raise TokenError("dashboard token is too long")
    claims = _decode(token, jwks)

    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise TokenError("claim 'exp' is not a timestamp")
    expires_at = datetime.fromtimestamp(exp, tz=UTC)
    current = now or datetime.now(tz=UTC)
    if current.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if current > expires_at + LEEWAY:
        raise TokenError("dashboard token has expired")

    issuer = claims.get("iss")
    if not isinstance(issuer, str) or _normalised_url(issuer) != _normalised_url(saleor_api_url):
        raise TokenError("token was issued by another Saleor")
    if claims.get("app") != app_id:
        raise TokenError("token was issued for another app")

    user_permissions = _str_list(claims.get("user_permissions"), "user_permissions")
    missing = sorted(set(required_permissions) - set(user_permissions))
    if missing:
        raise TokenError(f"missing permission(s): {', '.join(missing)}", status=403)

    user_id, email = claims.get("user_id"), claims.get("email")
    if not isinstance(user_id, str) or not isinstance(email, str):
        raise TokenError("token has no user")
    return DashboardUser(
        user_id=user_id,
        email=email,
        is_staff=claims.get("is_staff") is True,
        app_id=app_id,
        permissions=_str_list(claims.get("permissions"), "permissions"),
        user_permissions=user_permissions,
        expires_at=expires_at,
    )
