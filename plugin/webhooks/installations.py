"""A short-lived, per-process cache of active installations for the webhook hot path.

Every delivery names its Saleor; reading that installation (and its JWKS) from the database
costs more than the rest of the verification. Entries live a few seconds, and any save of an
installation in this process (deactivation, re-install, JWKS refresh) drops its entry at once;
other processes see a change within the TTL.
"""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save

from plugin.install.models import Installation
from plugin.install.selectors import installation_get_by_api_url
from plugin.saleor.api_url import saleor_api_url_or_none

TTL_SECONDS = 5.0
_lock = threading.Lock()
_cache: dict[str, tuple[float, Installation]] = {}


def active_installation(*, saleor_api_url: str) -> Installation | None:
    """The active installation of this Saleor API URL (any spelling), from the cache when fresh."""
    saleor_api_url = saleor_api_url_or_none(saleor_api_url) or ""
    if not saleor_api_url:
        return None
    now = time.monotonic()
    cached = _cache.get(saleor_api_url)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    installation = installation_get_by_api_url(saleor_api_url=saleor_api_url)
    with _lock:
        if installation is None:
            _cache.pop(saleor_api_url, None)  # unknown URLs are never cached
        else:
            _cache[saleor_api_url] = (now, installation)
    return installation


def active_installations_forget(**_kwargs: object) -> None:
    """Empties the cache (tests, or after bulk changes made outside the ORM's save)."""
    with _lock:
        _cache.clear()


def _forget(sender: type, instance: Installation, **_kwargs: object) -> None:
    with _lock:
        _cache.pop(instance.saleor_api_url, None)


post_save.connect(_forget, sender=Installation, dispatch_uid="webhooks.installation_saved")
post_delete.connect(_forget, sender=Installation, dispatch_uid="webhooks.installation_deleted")
