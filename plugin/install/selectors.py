"""Reads of installations (the JWKS read that may refresh lives in services)."""

from __future__ import annotations

from plugin.install.models import Installation
from plugin.install.services import installation_client, installation_jwks
from plugin.saleor.api_url import saleor_api_url_or_none

__all__ = [
    "installation_client",
    "installation_get_by_api_url",
    "installation_jwks",
    "installation_list_active",
]


def installation_get_by_api_url(
    *, saleor_api_url: str, include_inactive: bool = False
) -> Installation | None:
    """The installation of this Saleor API URL (any spelling of it); inactive (uninstalled) ones
    only when asked. None for text that names no Saleor API."""
    canonical = saleor_api_url_or_none(saleor_api_url)
    if canonical is None:
        return None
    queryset = Installation.objects.filter(saleor_api_url=canonical)
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.first()


def installation_list_active() -> list[Installation]:
    return list(Installation.objects.filter(is_active=True))
