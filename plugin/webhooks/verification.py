"""Deciding whether a webhook request is a genuine Saleor delivery for this route.

Each refusal carries an HTTP status: 4xx only for what can never succeed (Saleor does not retry
those), 5xx for passing trouble such as an unreachable JWKS or database (Saleor retries).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from plugin.install.models import Installation
from plugin.install.services import installation_jwks, installation_jwks_for_kid
from plugin.json_input import JsonRefused, json_loads_bounded
from plugin.saleor.jwks import JWKSUnavailable
from plugin.saleor.signatures import (
    SignatureError,
    UnknownKeyId,
    verify_legacy_hmac,
    verify_webhook_signature,
)
from plugin.webhooks.installations import active_installation

_HEX_HMAC = re.compile(r"^[0-9a-fA-F]{64}$")


class DeliveryRefused(Exception):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class VerifiedDelivery:
    installation: Installation
    event: str  # upper case, as in the manifest
    payload: Any


def _header(headers: Mapping[str, str], name: str) -> str:
    return (headers.get(name) or "").strip()


def _verify_jws(*, installation: Installation, body: bytes, signature: str) -> None:
    try:
        jwks = installation_jwks(installation=installation)
        try:
            verify_webhook_signature(body=body, signature=signature, jwks=jwks)
        except UnknownKeyId as unknown:
            fresh = installation_jwks_for_kid(installation=installation, kid=unknown.kid)
            verify_webhook_signature(body=body, signature=signature, jwks=fresh)
    except JWKSUnavailable as error:
        raise DeliveryRefused(f"JWKS unavailable: {error.reason}", 503) from error
    except SignatureError as error:
        raise DeliveryRefused(f"signature refused: {error.reason}", 401) from error


def _verify_signature(*, installation: Installation, body: bytes, signature: str) -> None:
    if not signature:
        raise DeliveryRefused("missing Saleor-Signature", 401)
    if _HEX_HMAC.match(signature):
        if not settings.WEBHOOK_ALLOW_LEGACY_HMAC:
            raise DeliveryRefused("legacy HMAC (secretKey) signatures are not accepted", 401)
        try:
            verify_legacy_hmac(
                body=body, signature=signature, secret=settings.WEBHOOK_LEGACY_HMAC_SECRET
            )
        except SignatureError as error:
            raise DeliveryRefused(f"signature refused: {error.reason}", 401) from error
        return
    _verify_jws(installation=installation, body=body, signature=signature)


def event_typename(event: str) -> str:
    """`ORDER_FULLY_PAID` → `OrderFullyPaid`, the `__typename` Saleor gives that event."""
    return "".join(part.capitalize() for part in event.split("_"))


def _check_event_matches_payload(*, event: str, payload: Any) -> None:
    """`Saleor-Event` is not signed, the body is: a genuine ORDER_CREATED body re-sent as
    ORDER_FULLY_PAID must not pass. Every subscription asks for the event's `__typename`."""
    typename = payload.get("__typename") if isinstance(payload, dict) else None
    if typename != event_typename(event):
        raise DeliveryRefused(f"the signed payload is {str(typename)[:64]}, not {event}", 400)


def delivery_verify(
    *, headers: Mapping[str, str], body: bytes, family_events: frozenset[str], family: str
) -> VerifiedDelivery:
    """Checks installation, event route, signature, JSON in that order; raises DeliveryRefused."""
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        raise DeliveryRefused("body too large", 413)
    api_url = _header(headers, "Saleor-Api-Url")
    if not api_url:
        raise DeliveryRefused("missing Saleor-Api-Url", 400)
    installation = active_installation(saleor_api_url=api_url)
    if installation is None:
        raise DeliveryRefused(f"no active installation for {api_url[:200]}", 403)
    event = _header(headers, "Saleor-Event").upper()
    if not event:
        raise DeliveryRefused("missing Saleor-Event", 400)
    if event not in family_events:
        raise DeliveryRefused(f"event {event[:64]} does not belong on /api/webhooks/{family}", 400)
    _verify_signature(
        installation=installation, body=body, signature=_header(headers, "Saleor-Signature")
    )
    try:
        payload = json_loads_bounded(body)
    except JsonRefused as error:
        # Signed by Saleor, yet it will never parse: a 4xx so Saleor does not resend it.
        raise DeliveryRefused(f"payload {error.reason}", 400) from error
    _check_event_matches_payload(event=event, payload=payload)
    return VerifiedDelivery(installation=installation, event=event, payload=payload)
