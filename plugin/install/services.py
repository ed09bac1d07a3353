"""Writes on installations: register, re-install, deactivate, JWKS refresh; the Saleor client."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from plugin.install.crypto import token_encrypt
from plugin.install.http import saleor_client, saleor_http_client
from plugin.install.manifest import manifest_template
from plugin.install.models import Installation
from plugin.install.url_policy import SaleorUrlRefused, saleor_url_check
from plugin.saleor.client import SaleorAuthError, SaleorClient, SaleorError, SaleorUnavailable
from plugin.saleor.jwks import JWKSUnavailable, fetch_jwks

logger = logging.getLogger(__name__)
MAX_TOKEN_LENGTH = 512


class RegistrationError(Exception):
    """The registration cannot go ahead; `.status` is the HTTP answer (4xx final, 5xx passing)."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def installation_client(*, installation: Installation) -> SaleorClient:
    """A GraphQL client acting as the app on this installation's Saleor."""
    return saleor_client(installation.saleor_api_url, installation.auth_token)


def _app_id_for_token(*, saleor_api_url: str, auth_token: str) -> str:
    """Asks Saleor who the token belongs to (`app { id }`); the token is refused if nobody."""
    try:
        with saleor_client(saleor_api_url, auth_token) as client:
            data = client.execute("app_whoami", {})
    except SaleorAuthError as error:
        raise RegistrationError(f"Saleor refused the token: {error}", 403) from error
    except SaleorUnavailable as error:
        raise RegistrationError(f"Saleor could not be reached: {error}", 503) from error
    except SaleorError as error:
        raise RegistrationError(f"Saleor answered with an error: {error}", 502) from error
    app = (data or {}).get("app") or {}
    if not app.get("id"):
        raise RegistrationError("the token is not an app token of this Saleor", 403)
    # Only a token of an app installed from this manifest may register (not another app's).
    identifier = app.get("identifier")
    if identifier and identifier != manifest_template()["id"]:
        raise RegistrationError(f"the token belongs to another app ({identifier[:100]})", 403)
    return str(app["id"])


def _token_still_works(*, saleor_api_url: str, auth_token: str) -> bool:
    try:
        _app_id_for_token(saleor_api_url=saleor_api_url, auth_token=auth_token)
    except RegistrationError as error:
        if error.status >= 500:
            raise
        return False
    return True


def installation_register(
    *, saleor_api_url: str, domain: str, auth_token: str
) -> Installation:
    """Install or re-install: check the URL, confirm the token with Saleor, fetch its JWKS, store.

    A re-install replaces the token. While another app's token for the same Saleor still works,
    a different app cannot take the installation over.
    """
    if not auth_token or not isinstance(auth_token, str) or len(auth_token) > MAX_TOKEN_LENGTH:
        raise RegistrationError("auth_token is missing or malformed", 400)
    try:
        # From here on the URL is in its one canonical spelling: `HTTP://…:08000` and
        # `http://…:8000/` are the same Saleor, so they must be the same installation.
        saleor_api_url = saleor_url_check(
            url=saleor_api_url,
            patterns=settings.ALLOWED_SALEOR_URLS,
            allow_private=settings.ALLOW_PRIVATE_SALEOR_URLS,
        )
    except SaleorUrlRefused as error:
        raise RegistrationError(error.reason, 403) from error

    app_id = _app_id_for_token(saleor_api_url=saleor_api_url, auth_token=auth_token)
    try:
        with saleor_http_client() as http:
            jwks = fetch_jwks(saleor_api_url, http=http)
    except JWKSUnavailable as error:
        raise RegistrationError(error.reason, 503) from error

    existing = Installation.objects.filter(saleor_api_url=saleor_api_url).first()
    if (
        existing is not None
        and existing.is_active
        and existing.app_id
        and existing.app_id != app_id
        and _token_still_works(saleor_api_url=saleor_api_url, auth_token=existing.auth_token)
    ):
        raise RegistrationError("another app of this Saleor is installed and still active", 409)

    now = timezone.now()
    with transaction.atomic():
        installation, created = Installation.objects.select_for_update().get_or_create(
            saleor_api_url=saleor_api_url, defaults={"installed_at": now}
        )
        installation.domain = domain[:255]
        installation.app_id = app_id
        installation.auth_token_encrypted = token_encrypt(token=auth_token)
        installation.jwks = jwks
        installation.jwks_fetched_at = now
        installation.is_active = True
        if not created:
            installation.installed_at = now
        installation.save()
    logger.info(
        "installation %s: %s app %s",
        installation.pk,
        "installed" if created else "re-installed",
        app_id,
        extra={"installation_id": installation.pk, "saleor_api_url": saleor_api_url},
    )
    return installation


def installation_deactivate(*, installation: Installation) -> Installation:
    """The app was removed from that Saleor: stop accepting its webhooks and forget the token."""
    installation.is_active = False
    installation.auth_token_encrypted = ""
    installation.save(update_fields=["is_active", "auth_token_encrypted", "updated_at"])
    logger.info("installation %s deactivated", installation.pk)
    return installation


def installation_jwks(
    *, installation: Installation, refresh: bool = False, http: httpx.Client | None = None
) -> dict[str, Any]:
    """The Saleor's key set; `refresh=True` re-fetches it, at most once per minute per installation.

    Raises `JWKSUnavailable` when a due refresh fails (passing trouble: answer 5xx).
    """
    if not refresh and installation.jwks:
        return installation.jwks
    now = timezone.now()
    previous_fetch = installation.jwks_fetched_at
    cutoff = now - timedelta(seconds=settings.JWKS_REFRESH_MIN_SECONDS)
    # Claim the refresh with a conditional UPDATE so concurrent requests fetch only once.
    claimed = (
        Installation.objects.filter(pk=installation.pk)
        .filter(Q(jwks_fetched_at__isnull=True) | Q(jwks_fetched_at__lt=cutoff))
        .update(jwks_fetched_at=now)
    )
    if not claimed:
        installation.refresh_from_db(fields=["jwks", "jwks_fetched_at"])
        return installation.jwks
    try:
        if http is None:
            with saleor_http_client() as client:
                jwks = fetch_jwks(installation.saleor_api_url, http=client)
        else:
            jwks = fetch_jwks(installation.saleor_api_url, http=http)
    except JWKSUnavailable:
        # Give the claim back: a failed fetch must not block the next attempt for a minute.
        Installation.objects.filter(pk=installation.pk).update(jwks_fetched_at=previous_fetch)
        raise
    Installation.objects.filter(pk=installation.pk).update(jwks=jwks, jwks_fetched_at=now)
    installation.jwks, installation.jwks_fetched_at = jwks, now
    logger.info("installation %s: JWKS refreshed", installation.pk)
    return jwks


def installation_jwks_for_kid(*, installation: Installation, kid: str | None) -> dict[str, Any]:
    """The key set to check something signed with `kid`: the stored one, refreshed once (within
    the per-minute limit) when it lacks that kid, since Saleor may have rotated its key.

    Raises `JWKSUnavailable` when that refresh fails.
    """
    jwks = installation_jwks(installation=installation)
    if kid and kid not in jwks_kids(jwks):
        jwks = installation_jwks(installation=installation, refresh=True)
    return jwks


def jwks_kids(jwks: dict[str, Any]) -> set[str]:
    return {key.get("kid") for key in jwks.get("keys", []) if isinstance(key, dict)}
