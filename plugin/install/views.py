"""Install endpoints: the manifest Saleor reads, and the register call that hands over the token."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from plugin.install.manifest import manifest_for
from plugin.install.services import RegistrationError, installation_register
from plugin.json_input import JsonRefused, json_loads_bounded

logger = logging.getLogger(__name__)
_MAX_REGISTER_BODY = 4096
# Each register call makes the app call out to a Saleor: cap how often one address may try.
REGISTER_RATE = "20/m"


def app_base_url(request: HttpRequest) -> str:
    """APP_URL when configured, else the scheme and host this request came in on."""
    return settings.APP_URL or request.build_absolute_uri("/").rstrip("/")


@require_GET
def manifest_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(manifest_for(base_url=app_base_url(request)))


def _auth_token_from(request: HttpRequest) -> str:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise RegistrationError("invalid Content-Length", 400) from error
    if declared > _MAX_REGISTER_BODY:
        raise RegistrationError("body too large", 413)
    if len(request.body) > _MAX_REGISTER_BODY:  # chunked bodies declare no length
        raise RegistrationError("body too large", 413)
    try:
        body = json_loads_bounded(request.body)
    except JsonRefused as error:
        raise RegistrationError(f"body {error.reason}", 400) from error
    token = body.get("auth_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise RegistrationError("auth_token is missing", 400)
    return token


@csrf_exempt
@require_POST
def register_view(request: HttpRequest) -> JsonResponse:
    """Saleor's POST to tokenTargetUrl during appInstall (`{"auth_token"}` + Saleor-Api-Url)."""
    saleor_api_url = request.headers.get("Saleor-Api-Url", "").strip()
    if is_ratelimited(request, group="install.register", key="ip", rate=REGISTER_RATE,
                      increment=True):
        return JsonResponse({"error": "too many install attempts, try again later"}, status=429)
    try:
        if not saleor_api_url:
            raise RegistrationError("missing Saleor-Api-Url", 400)
        installation = installation_register(
            saleor_api_url=saleor_api_url,
            domain=request.headers.get("Saleor-Domain", "").strip(),
            auth_token=_auth_token_from(request),
        )
    except RegistrationError as error:
        logger.warning("register refused for %s: %s", saleor_api_url[:200], error.reason)
        return JsonResponse({"error": error.reason}, status=error.status)
    except DatabaseError:
        logger.exception("register for %s not stored: database error", saleor_api_url[:200])
        return JsonResponse({"error": "database unavailable, try again"}, status=503)
    return JsonResponse({"status": "installed", "app_id": installation.app_id})
