"""Writes on the webhook inbox: store an accepted delivery once, process it, retry or bury it."""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from plugin.install.models import Installation
from plugin.periodic import LONGEST_ATTEMPT, background_wait
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
from plugin.webhooks.registry import commits_its_own_steps, handlers_for

logger = logging.getLogger(__name__)
_RETRY_BASE_SECONDS = 30
_RETRY_MAX_SECONDS = 6 * 3600
_MAX_ERROR_CHARS = 4000


def delivery_dedup_key(*, event: str, body: bytes) -> str:
    """Saleor resends the very same signed bytes on a retry; distinct events differ (`issuedAt`)."""
    return hashlib.sha256(event.encode("ascii") + b"\n" + body).hexdigest()


def retry_delay(*, attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 30 s, 60 s, 120 s, … capped at 6 h (scaled)."""
    return background_wait(timedelta(seconds=min(
        _RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), _RETRY_MAX_SECONDS)))


@dataclass(frozen=True)
class StoredDelivery:
    delivery: WebhookDelivery
    created: bool  # False: a duplicate of a delivery already in the inbox

    @property
    def needs_processing(self) -> bool:
        return self.created and self.delivery.status == DeliveryStatus.RECEIVED


def delivery_store(
    *, installation: Installation, event: str, body: bytes, payload: Any
) -> StoredDelivery:
    """Writes the delivery unless the same one is already there (then counts the duplicate).

    One INSERT in its own transaction (a savepoint inside an outer one); the unique constraint,
    not a prior SELECT, decides whether it is new, so concurrent retries cannot both win.
    """
    dedup_key = delivery_dedup_key(event=event, body=body)
    # An event no handler wants is complete once recorded: no task, no second write.
    record_only = not handlers_for(event)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                installation=installation,
                event=event,
                dedup_key=dedup_key,
                payload=payload,
                body_sha256=hashlib.sha256(body).hexdigest(),
                status=DeliveryStatus.DONE if record_only else DeliveryStatus.RECEIVED,
                processed_at=timezone.now() if record_only else None,
            )
        return StoredDelivery(delivery=delivery, created=True)
    except IntegrityError:
        existing = WebhookDelivery.objects.get(installation=installation, dedup_key=dedup_key)
        WebhookDelivery.objects.filter(pk=existing.pk).update(duplicates=F("duplicates") + 1)
        return StoredDelivery(delivery=existing, created=False)


def _claim(*, delivery_id: int) -> WebhookDelivery | None:
    """Moves a waiting delivery to `processing` (one worker wins); None if nothing to do."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.RECEIVED, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.PROCESSING, attempts=F("attempts") + 1,
             updated_at=timezone.now())
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("installation").get(pk=delivery_id)


@dataclass(frozen=True)
class Processed:
    """What one processing attempt did; `status` is None when there was nothing to do."""

    delivery_id: int
    status: str | None
    attempts: int = 0


def _finish_record_only(*, delivery_id: int, event: str) -> Processed | None:
    """An event nobody handles is done once stored: one UPDATE instead of a claim and a run."""
    if handlers_for(event):
        return None
    now = timezone.now()
    finished = WebhookDelivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.RECEIVED, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.DONE, attempts=F("attempts") + 1, processed_at=now,
             next_attempt_at=None, updated_at=now)
    return Processed(delivery_id, DeliveryStatus.DONE if finished else None)


def delivery_process(
    *, delivery_id: int, event: str | None = None, max_attempts: int | None = None
) -> Processed:
    """Runs the event's handlers once; records done, failed (to retry) or dead. Never raises.

    `event`, when the caller knows it, lets a delivery nobody handles finish in one UPDATE.
    """
    limit = max_attempts or settings.TASK_MAX_ATTEMPTS
    if event is not None and (quick := _finish_record_only(delivery_id=delivery_id, event=event)):
        return quick
    delivery = _claim(delivery_id=delivery_id)
    if delivery is None:
        return Processed(delivery_id, None)
    handlers = handlers_for(delivery.event)
    try:
        # The database-only handlers succeed or fail together. Handlers that change Saleor run
        # after them outside any transaction: what they record before and after each call to
        # Saleor must survive a failure further on, or a retry would repeat the call.
        with transaction.atomic():
            for handler in handlers:
                if not commits_its_own_steps(handler):
                    handler(delivery)
        for handler in handlers:
            if commits_its_own_steps(handler):
                handler(delivery)
    except Exception as error:  # a handler's failure is data: recorded, retried, never lost
        dead = delivery.attempts >= limit
        delivery.status = DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED
        delivery.last_error = "".join(traceback.format_exception(error))[-_MAX_ERROR_CHARS:]
        delivery.next_attempt_at = None if dead else timezone.now() + retry_delay(
            attempts=delivery.attempts
        )
        logger.warning(
            "delivery %s (%s) attempt %s failed%s: %r",
            delivery.pk, delivery.event, delivery.attempts, ", now dead" if dead else "", error,
        )
    else:
        delivery.status = DeliveryStatus.DONE
        delivery.processed_at = timezone.now()
        delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", "processed_at",
                                 "updated_at"])
    return Processed(delivery.pk, delivery.status, delivery.attempts)


def deliveries_requeue(*, delivery_ids: Iterable[int] | None = None, dead: bool = False) -> int:
    """Puts failed or dead deliveries back to `received` with fresh attempts; returns how many."""
    queryset = WebhookDelivery.objects.filter(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]
    )
    if delivery_ids is not None:
        queryset = queryset.filter(pk__in=list(delivery_ids))
    elif dead:
        queryset = queryset.filter(status=DeliveryStatus.DEAD)
    return queryset.update(status=DeliveryStatus.RECEIVED, attempts=0, next_attempt_at=None,
                           updated_at=timezone.now())


def deliveries_due_ids(*, now=None, received_before=None) -> list[int]:
    """Deliveries waiting for work: new ones and failed ones whose backoff has passed.

    `received_before` leaves out new deliveries received since then: their own task is still
    queued, and queueing them again on every sweep would snowball a backlog.
    """
    now = now or timezone.now()
    received = Q(status=DeliveryStatus.RECEIVED)
    if received_before is not None:
        received &= Q(received_at__lte=received_before)
    return list(
        WebhookDelivery.objects.filter(
            received | Q(status=DeliveryStatus.FAILED, next_attempt_at__lte=now)
        ).order_by("id").values_list("id", flat=True)
    )


def deliveries_release_stuck(*, older_than: timedelta | None = None) -> int:
    """Deliveries left in `processing` by a worker that died go back to `failed` to be retried
    (by default after 15 minutes, scaled, never while a live worker could still be on it)."""
    older_than = older_than or background_wait(timedelta(minutes=15), floor=LONGEST_ATTEMPT)
    cutoff = timezone.now() - older_than
    return WebhookDelivery.objects.filter(
        status=DeliveryStatus.PROCESSING, updated_at__lt=cutoff
    ).update(status=DeliveryStatus.FAILED, next_attempt_at=timezone.now(),
             last_error="worker stopped while processing", updated_at=timezone.now())
