"""Thin webhook endpoints, one per event family: verify, store, acknowledge, enqueue."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from plugin.install.manifest import webhook_families
from plugin.request_context import request_installation_bind
from plugin.tasks import task_enqueue
from plugin.webhooks.services import delivery_store
from plugin.webhooks.tasks import process_delivery
from plugin.webhooks.verification import DeliveryRefused, delivery_verify

logger = logging.getLogger(__name__)


def _refusal(request: HttpRequest, family: str, error: DeliveryRefused) -> JsonResponse:
    logger.warning(
        "webhook refused on %s: %s (HTTP %s)",
        family, error.reason, error.status,
        extra={
            "saleor_api_url": request.headers.get("Saleor-Api-Url", "")[:200],
            "event": request.headers.get("Saleor-Event", "")[:64],
        },
    )
    return JsonResponse({"error": error.reason}, status=error.status)


def _refuse_oversized(request: HttpRequest) -> None:
    """Refuses by Content-Length before reading, so a huge body is never buffered."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise DeliveryRefused("invalid Content-Length", 400) from error
    if declared > settings.WEBHOOK_MAX_BODY_BYTES:
        raise DeliveryRefused("body too large", 413)


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, family: str) -> JsonResponse:
    family_events = webhook_families().get(family)
    if family_events is None:
        raise Http404("no such webhook route")
    try:
        _refuse_oversized(request)
        verified = delivery_verify(
            headers=request.headers, body=request.body, family_events=family_events, family=family
        )
        request_installation_bind(verified.installation.pk)
        # The INSERT commits before the 2xx is written; the task waits for that commit.
        stored = delivery_store(
            installation=verified.installation,
            event=verified.event,
            body=request.body,
            payload=verified.payload,
        )
        if stored.needs_processing:
            task_enqueue(process_delivery, delivery_id=stored.delivery.pk, event=verified.event)
    except DeliveryRefused as error:
        return _refusal(request, family, error)
    except DatabaseError:
        # Passing trouble: Saleor retries a 5xx, so nothing is lost.
        logger.exception("webhook on %s not stored: database error", family)
        return JsonResponse({"error": "database unavailable, try again"}, status=503)
    return JsonResponse(
        {"status": "accepted" if stored.created else "duplicate", "delivery": stored.delivery.pk}
    )
