"""Dead letters, a page of the dashboard: webhook deliveries and Saleor changes (gift cards,
vouchers) that ran out of attempts. The merchant sees why each failed and retries it once the
trouble is over; a retry is audited and runs the work again exactly as the first attempts did
(idempotent, so at most once). It reads the webhooks' inbox, hence a package of its own above
the webhooks and the dashboard, which never import one another."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest
from plugin.dashboard.permissions import CUSTOMER_DATA, DISCOUNT_CHANGE
from plugin.programs.services import audit_record
from plugin.rewards.models import OutboxItem, OutboxStatus
from plugin.rewards.outbox import outbox_requeue_dead
from plugin.rewards.tasks import outbox_kick
from plugin.tasks import task_enqueue
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
from plugin.webhooks.services import deliveries_requeue
from plugin.webhooks.tasks import process_delivery

LIMIT = 200
_ERROR_CHARS = 300


def _reason(last_error: str) -> str:
    """The last line of a recorded error: the exception itself, not its traceback."""
    lines = [line for line in (last_error or "").strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "")[:_ERROR_CHARS]


def delivery_json(delivery: WebhookDelivery) -> dict:
    return {"id": delivery.pk, "event": delivery.event, "attempts": delivery.attempts,
            "received_at": delivery.received_at.isoformat(),
            "failed_at": delivery.updated_at.isoformat(), "error": _reason(delivery.last_error)}


def outbox_json(item: OutboxItem) -> dict:
    return {"id": item.pk, "action": item.action, "attempts": item.attempts,
            "recipient": (item.payload or {}).get("email", ""),
            "reward": item.reward_id, "created_at": item.created_at.isoformat(),
            "error": _reason(item.last_error)}


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def dead_letters(request: HttpRequest, *, installation, user) -> JsonResponse:
    """The latest dead deliveries and outbox items (payloads and recipients name customers)."""
    deliveries = WebhookDelivery.objects.filter(installation=installation,
                                                status=DeliveryStatus.DEAD)
    outbox = OutboxItem.objects.filter(installation=installation, status=OutboxStatus.DEAD)
    return JsonResponse({
        "deliveries": [delivery_json(d) for d in deliveries.order_by("-updated_at", "-id")[:LIMIT]],
        "outbox": [outbox_json(i) for i in outbox.order_by("-id")[:LIMIT]],
        "counts": {"deliveries": deliveries.count(), "outbox": outbox.count()},
    })


def _dead_or_refused(rows, *, pk: int, dead: str, what: str):
    row = rows.select_for_update().filter(pk=pk).first()
    if row is None:
        raise BadRequest(f"{what} {pk} does not exist", status=404)
    if row.status != dead:
        raise BadRequest(f"{what} {pk} is {row.status}, not dead: nothing to retry", status=409)
    return row


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def delivery_retry(request: HttpRequest, *, installation, user, delivery_id: int) -> JsonResponse:
    """Runs a dead delivery's handlers again, with fresh attempts, right after the commit."""
    with transaction.atomic():
        delivery = _dead_or_refused(
            WebhookDelivery.objects.filter(installation=installation), pk=delivery_id,
            dead=DeliveryStatus.DEAD, what="delivery")
        deliveries_requeue(delivery_ids=[delivery.pk])
        audit_record(installation=installation, actor=user, action="dead_letter_retried",
                     object_type="webhook_delivery", object_id=delivery.pk,
                     details={"event": delivery.event, "attempts": delivery.attempts,
                              "error": _reason(delivery.last_error)})
        task_enqueue(process_delivery, delivery_id=delivery.pk, event=delivery.event)
    return JsonResponse({"id": delivery.pk, "status": DeliveryStatus.RECEIVED}, status=202)


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def outbox_retry(request: HttpRequest, *, installation, user, item_id: int) -> JsonResponse:
    """Tries a dead gift card or voucher again; the outbox first looks in Saleor for what an
    earlier attempt made, so a retry never makes it twice."""
    with transaction.atomic():
        item = _dead_or_refused(OutboxItem.objects.filter(installation=installation),
                                pk=item_id, dead=OutboxStatus.DEAD, what="outbox item")
        outbox_requeue_dead(installation=installation, item_ids=[item.pk])
        audit_record(installation=installation, actor=user, action="dead_letter_retried",
                     object_type="outbox_item", object_id=item.pk,
                     details={"action": item.action, "attempts": item.attempts,
                              "error": _reason(item.last_error)})
        transaction.on_commit(outbox_kick)
    return JsonResponse({"id": item.pk, "status": OutboxStatus.PENDING}, status=202)
