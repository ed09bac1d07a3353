"""Sending a captured delivery to the webhook view with its real headers (Django test client)."""

from __future__ import annotations

from plugin.install.manifest import webhook_families
from plugin.saleor.captures import CapturedDelivery

_SKIPPED_HEADERS = {"Content-Length", "Content-Type", "Host"}


def family_of(event: str) -> str:
    return next(family for family, events in webhook_families().items() if event in events)


def post(client, delivery: CapturedDelivery, *, body: bytes | None = None,
         headers: dict[str, str] | None = None, family: str | None = None):
    sent = delivery.headers if headers is None else headers
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in sent.items()
            if name not in _SKIPPED_HEADERS}
    return client.post(
        f"/api/webhooks/{family or family_of(delivery.event)}",
        data=delivery.body if body is None else body,
        content_type="application/json",
        **meta,
    )
