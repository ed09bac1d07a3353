"""Verifies Saleor-issued JWTs: one RS256-pinned core (`rs256_claims`) for every token the app
takes, and on it the dashboard token the Saleor dashboard hands to the app's page (App Bridge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from jwt.api_jws import PyJWS
from jwt.api_jwt import PyJWT

from plugin.saleor.api_url import saleor_api_url_or_none
from plugin.saleor.signatures import ALGORITHM, SignatureError, signing_key

LEEWAY = timedelta(seconds=10)  # clock skew between Saleor and the app
MAX_TOKEN_LENGTH = 8192
_jwt = PyJWT(options={"verify_signature": True})
_jws = PyJWS()


class TokenError(Exception):
    """A token that does not let this request through; `status` is 401 or 403.

    `kind` names the check that refused it ("unreadable", "key", "invalid", "expired", "issuer"
    or "claims"), so a caller can word its own answer without parsing `reason`.
    """

    def __init__(self, reason: str, status: int = 401, *, kind: str = "claims") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.kind = kind


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
    return saleor_api_url_or_none(url) or (url if url.endswith("/") else url + "/")


def _str_list(value: Any, claim: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TokenError(f"claim {claim!r} is not a list of strings")
    return tuple(value)


def rs256_claims(
    *,
    token: str,
    key_for: Callable[[dict[str, Any]], Any],
    issuer: str,
    required: Sequence[str],
    now: datetime | None = None,
    verify_issued_at: bool = False,
) -> dict[str, Any]:
    """The claims of `token` once it is proven RS256-signed by the key `key_for(header)` returns,
    unexpired at `now` (with LEEWAY) and issued by `issuer`; raises TokenError otherwise.

    `key_for` gets the unverified header and returns the key (`signing_key` pins `alg` to RS256;
    it may raise SignatureError). `verify_issued_at` lets PyJWT check `iat`/`nbf` on the real clock.
    """
    try:
        header = _jws.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenError(f"token cannot be read: {exc}", kind="unreadable") from exc
    try:
        key = key_for(header)
    except SignatureError as exc:
        raise TokenError(exc.reason, kind="key") from exc
    try:
        # Expiry is checked below against the caller's `now` (testable, with leeway).
        claims = _jwt.decode(
            token,
            key=key,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_iat": verify_issued_at,
                "verify_nbf": verify_issued_at,
                "require": ["exp", "iss", *required],
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise TokenError("token signature is not valid", kind="invalid") from exc
    except jwt.PyJWTError as exc:
        raise TokenError(f"token is not valid: {exc}", kind="invalid") from exc

    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise TokenError("claim 'exp' is not a timestamp", kind="invalid")
    current = now or datetime.now(tz=UTC)
    if current.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if current > datetime.fromtimestamp(exp, tz=UTC) + LEEWAY:
        raise TokenError("token has expired", kind="expired")
    claimed = claims.get("iss")
    if not isinstance(claimed, str) or _normalised_url(claimed) != _normalised_url(issuer):
        raise TokenError("token was issued by another Saleor", kind="issuer")
    return claims


def claims_user(claims: dict[str, Any]) -> tuple[str, str]:
    """(user_id, email) from verified claims; TokenError when either is not a string."""
    user_id, email = claims.get("user_id"), claims.get("email")
    if not isinstance(user_id, str) or not isinstance(email, str):
        raise TokenError("token has no user")
    return user_id, email


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
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("dashboard token is too long")
    claims = rs256_claims(
        token=token,
        key_for=lambda header: signing_key(header, jwks),
        issuer=saleor_api_url,
        required=("app",),
        now=now,
    )
    if claims.get("app") != app_id:
        raise TokenError("token was issued for another app")

    user_permissions = _str_list(claims.get("user_permissions"), "user_permissions")
    missing = sorted(set(required_permissions) - set(user_permissions))
    if missing:
        raise TokenError(f"missing permission(s): {', '.join(missing)}", status=403)

    user_id, email = claims_user(claims)
    return DashboardUser(
        user_id=user_id,
        email=email,
        is_staff=claims.get("is_staff") is True,
        app_id=app_id,
        permissions=_str_list(claims.get("permissions"), "permissions"),
        user_permissions=user_permissions,
        expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC),
    )
