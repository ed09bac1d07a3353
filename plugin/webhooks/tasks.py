"""The background task that processes one stored delivery, with retries and backoff on Celery."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from plugin.periodic import background_wait
from plugin.webhooks.models import DeliveryStatus
from plugin.webhooks.services import (
    deliveries_due_ids,
    deliveries_release_stuck,
    delivery_process,
    retry_delay,
)


@shared_task(bind=True, name="webhooks.process_delivery", max_retries=None)
def process_delivery(self, delivery_id: int, event: str | None = None) -> str | None:
    """Processes the delivery; on a failure with attempts left, Celery retries after the backoff.

    Inline (no broker) a failure stays `failed` with `next_attempt_at`; `manage.py webhooks_retry`
    (run from cron) picks it up.
    """
    outcome = delivery_process(delivery_id=delivery_id, event=event)
    if outcome.status == DeliveryStatus.FAILED and not self.request.is_eager and self.request.id:
        raise self.retry(countdown=retry_delay(attempts=outcome.attempts).total_seconds())
    return outcome.status


# A new delivery still unprocessed after this long lost its task (e.g. the broker was down).
STRANDED_AFTER = timedelta(minutes=5)


@shared_task(name="webhooks.sweep")
def sweep_deliveries() -> int:
    """Celery beat's periodic pass: queue failed deliveries whose backoff has passed, ones a
    dead worker left behind, and new ones whose task was lost."""
    deliveries_release_stuck()
    due = deliveries_due_ids(received_before=timezone.now() - background_wait(STRANDED_AFTER))
    for delivery_id in due:
        process_delivery.apply_async(kwargs={"delivery_id": delivery_id})
    return len(due)
