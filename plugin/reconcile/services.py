"""Reconciling one installation: page through the orders Saleor changed since the watermark and
replay, through the webhooks' own use case, every event whose effect the app never saw.

What the app saw of an order is its `OrderTrack` (paid, fulfilled, refunded, voided) and, for
its creation, the ORDER_CREATED in the webhook inbox or an earlier replay (`ReconciledEvent`).
Idempotent with the webhooks: an order the app already knows in full is left alone, and a
replayed event goes through `order_event_process`, whose every step is idempotent. The
watermark only moves after a complete pass, so an outage mid-way resumes from where it was.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.install.selectors import installation_client
from plugin.reconcile.gaps import order_replays
from plugin.reconcile.models import ReconciledEvent, ReconcileRun, ReconcileState
from plugin.rewards.models import OrderTrack
from plugin.saleor.errors import SaleorError
from plugin.use_cases.rewards import order_event_process
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery

log = logging.getLogger("plugin.reconcile")

OVERLAP = timedelta(minutes=10)  # re-read a little before the watermark: clocks and commits lag
FIRST_LOOKBACK = timedelta(days=2)  # Saleor gives up on a delivery within minutes
PAGE_SIZE = 100
MAX_PAGES = 1000  # 100,000 orders in one pass; the rest waits for the next run
CLOCK_SKEW = timedelta(hours=1)  # between Saleor's `created` and the app's `received_at`


def reconcile_since(*, installation: Any, now: datetime) -> datetime:
    """Where the next pass starts: the watermark minus the overlap, or (first run) a short
    look back, never before the installation (earlier orders are history, not lost events)."""
    state = ReconcileState.objects.filter(installation=installation).first()
    if state is not None and state.watermark is not None:
        return state.watermark - OVERLAP
    return max(installation.installed_at, now - FIRST_LOOKBACK)


def _watermark_advance(*, installation: Any, to: datetime) -> None:
    with transaction.atomic():
        state, _ = ReconcileState.objects.select_for_update().get_or_create(
            installation=installation
        )
        if state.watermark is None or to > state.watermark:  # two runs at once never go back
            state.watermark = to
            state.save()


def _created_seen(*, installation: Any, orders: list[dict[str, Any]]) -> set[str]:
    """Ids of these orders whose ORDER_CREATED the app handled: delivered (the inbox) or
    replayed earlier. One query each for a whole page."""
    ids = [order["id"] for order in orders]
    moments = [m for o in orders if (m := parse_datetime(str(o.get("created") or "")))]
    delivered = WebhookDelivery.objects.filter(
        installation=installation, event="ORDER_CREATED", status=DeliveryStatus.DONE,
        payload__order__id__in=ids,
    )
    if moments:  # the inbox grows forever: read only deliveries from around these orders
        delivered = delivered.filter(received_at__gte=min(moments) - CLOCK_SKEW)
    seen = {str(order_id) for order_id in delivered.values_list("payload__order__id", flat=True)}
    seen |= set(ReconciledEvent.objects.filter(
        installation=installation, event="ORDER_CREATED", order_id__in=ids,
    ).values_list("order_id", flat=True))
    return seen


def order_reconcile(
    *, installation: Any, order: dict[str, Any], run: ReconcileRun, created_seen: bool
) -> list[str]:
    """Replays what this order's state implies and the app missed; returns the events replayed."""

    created = parse_datetime(str(order.get("created") or ""))
    if created is not None and created < installation.installed_at:
        return []  # placed before the app was installed: no webhook was ever due for it
    track = OrderTrack.objects.filter(installation=installation, order_id=order["id"]).first()
    replays = order_replays(
        order,
        known=track is not None and created_seen,
        paid=track is not None and track.paid_at is not None,
        fulfilled=track is not None and track.fulfilled_at is not None,
        refunded=track.refunded if track is not None else Decimal(0),
        voided=track is not None and track.voided_at is not None,
    )
    for replay in replays:
        order_event_process(
            installation=installation,
            event=replay.event,
            payload=replay.payload(),
            delivery_id=f"reconcile:{run.pk}",
        )
        ReconciledEvent.objects.get_or_create(
            installation=installation, order_id=order["id"], event=replay.event,
            defaults={"run": run, "at": replay.at},
        )
    return [replay.event for replay in replays]


def orders_reconcile(
    *, installation: Any, since: datetime | None = None, client: Any = None,
    now: datetime | None = None,
) -> ReconcileRun:
    """One full pass for an installation; the returned run says what was fixed (or failed)."""

    now = now or timezone.now()
    start = since or reconcile_since(installation=installation, now=now)
    run = ReconcileRun.objects.create(installation=installation, since=start, started_at=now)
    newest: datetime | None = None
    failed: list[str] = []
    try:
        saleor_client = client or installation_client(installation=installation)
        with saleor_client as saleor:
            after = None
            for _ in range(MAX_PAGES):
                data = saleor.execute("orders_reconcile", {
                    "updatedSince": start.isoformat(), "first": PAGE_SIZE, "after": after,
                })
                connection = data.get("orders") or {}
                run.pages += 1
                orders = [edge["node"] for edge in connection.get("edges") or ()
                          if (edge.get("node") or {}).get("id")]
                created_seen = _created_seen(installation=installation, orders=orders)
                for order in orders:
                    run.orders_seen += 1
                    try:
                        events = order_reconcile(installation=installation, order=order, run=run,
                                                 created_seen=order["id"] in created_seen)
                    except Exception:  # one bad order must not stop the others
                        log.exception("reconcile: order %s could not be replayed", order["id"])
                        failed.append(order["id"])
                        continue
                    if events:
                        run.fixed_order_ids.append(order["id"])
                        number = order.get("number") or order["id"]
                        run.replayed.extend(f"{event} #{number}" for event in events)
                    updated = parse_datetime(str(order.get("updatedAt") or ""))
                    if updated is not None and (newest is None or updated > newest):
                        newest = updated
                page = connection.get("pageInfo") or {}
                if not page.get("hasNextPage"):
                    break
                after = page.get("endCursor")
    except SaleorError as exc:
        run.error = f"Saleor did not answer: {exc}"[:2000]
    except Exception as exc:  # e.g. no token any more: the run says why instead of hanging
        log.exception("reconcile installation %s stopped", installation.pk)
        run.error = f"reconciliation stopped: {type(exc).__name__}: {exc}"[:2000]
    if failed:
        run.error = (run.error + f" orders not replayed: {', '.join(failed)}").strip()[:2000]
    run.status = ReconcileRun.Status.FAILED if run.error else ReconcileRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    if run.status == ReconcileRun.Status.DONE and newest is not None:
        _watermark_advance(installation=installation, to=newest)
    _log(installation, run)
    return run


def _log(installation: Any, run: ReconcileRun) -> None:
    if run.error:
        log.warning("reconcile installation %s since %s: %s (fixed %d order(s) before that)",
                    installation.pk, run.since.isoformat(), run.error, run.fixed)
    elif run.fixed:
        log.warning("reconcile installation %s: %d order(s) had lost events: %s",
                    installation.pk, run.fixed, "; ".join(run.replayed))
    else:
        log.info("reconcile installation %s: %d order(s) checked, nothing lost",
                 installation.pk, run.orders_seen)
