"""Order events → segments: recompute the buyer and the order's referrer against the shop's
stored cut points. Listed after the rewards handler in the registry, so the customer order
history is already updated for the delivery."""

from __future__ import annotations

from django.utils import timezone

from plugin.segments.services import order_customers, segments_update_customers


def order_event_segments(delivery) -> None:
    """Idempotent: a replayed delivery recomputes the same customers to the same figures."""
    order_id = ((delivery.payload or {}).get("order") or {}).get("id")
    if not order_id:
        return
    installation = delivery.installation
    emails = order_customers(installation=installation, order_id=order_id)
    segments_update_customers(installation=installation, emails=emails, now=timezone.now())

