"""The background task that processes one stored delivery, with retries and backoff on Celery."""

from __future__ import annotations

from celery import shared_task

from plugin.webhooks.models import DeliveryStatus
from plugin.webhooks.services import delivery_process, retry_delay


@shared_task(bind=True, name="webhooks.process_delivery", max_retries=None)
def process_delivery(self, delivery_id: int) -> str | None:
    """Processes the delivery; on a failure with attempts left, Celery retries after the backoff.

    Inline (no broker) a failure stays `failed` with `next_attempt_at`; `manage.py webhooks_retry`
    (run from cron) picks it up.
    """
    delivery = delivery_process(delivery_id=delivery_id)
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.FAILED and not self.request.is_eager and self.request.id:
        raise self.retry(countdown=retry_delay(attempts=delivery.attempts).total_seconds())
    return delivery.status
