"""Every dashboard request carries the staff user's Saleor token in a header; this verifies it.

Headers as Saleor's app SDK sends them: `authorization-bearer` (the JWT from the App Bridge
handshake) and `saleor-api-url`. No cookies: the page lives in a third-party iframe.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import jwt
from django.http import HttpRequest, HttpResponse

from plugin.dashboard.http import BadRequest, error_response
from plugin.install.selectors import installation_get_by_api_url
from plugin.install.services import installation_jwks_for_kid
from plugin.request_context import request_installation_bind
from plugin.saleor.jwks import JWKSUnavailable
from plugin.saleor.tokens import TokenError, verify_dashboard_token

logger = logging.getLogger(__name__)

TOKEN_HEADER = "authorization-bearer"
API_URL_HEADER = "saleor-api-url"


def _token_kid(token: str) -> str | None:
    try:
        return jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None


def authenticate(request: HttpRequest, *, required_permissions: Iterable[str] = ()):
    """(installation, staff user) for a request, or TokenError with 401/403."""
    token = request.headers.get(TOKEN_HEADER, "").strip()
    api_url = request.headers.get(API_URL_HEADER, "").strip()
    if not token:
        raise TokenError("missing dashboard token (authorization-bearer header)", 401)
    if not api_url:
        raise TokenError("missing saleor-api-url header", 401)
    installation = installation_get_by_api_url(saleor_api_url=api_url)
    if installation is None or not installation.is_active:
        raise TokenError("the app is not installed for this Saleor", 403)
    request_installation_bind(installation.pk)
    try:
        jwks = installation_jwks_for_kid(installation=installation, kid=_token_kid(token))
    except JWKSUnavailable as exc:
        # Unverifiable is refused: a token no known key signed never gets through.
        raise TokenError("token is signed by a key this Saleor does not publish", 401) from exc
    user = verify_dashboard_token(
        token=token,
        jwks=jwks,
        saleor_api_url=installation.saleor_api_url,
        app_id=installation.app_id,
        required_permissions=tuple(required_permissions),
    )
    return installation, user


def dashboard_api(
    *, methods: Iterable[str], permissions: Iterable[str] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorates a view `(request, installation, user, **kwargs)`: method check, token check,
    and BadRequest turned into a 4xx with its reason."""
    allowed = frozenset(method.upper() for method in methods)
    required = tuple(permissions)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error_response(f"method {request.method} is not allowed", 405)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                installation, user = authenticate(request, required_permissions=required)
            except TokenError as exc:
                logger.info("dashboard request refused: %s", exc.reason)
                return error_response(exc.reason, exc.status)
            try:
                return view(request, installation=installation, user=user, **kwargs)
            except BadRequest as exc:
                return error_response(exc.reason, exc.status, **exc.extra)

        wrapper.csrf_exempt = True  # token in a header, never a cookie: CSRF does not apply
        wrapper.allowed_methods = allowed  # read by the endpoint x permission test
        return wrapper

    return decorate
