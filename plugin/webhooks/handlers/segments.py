"""Order events → segments: recompute the buyer and the order's referrer against the shop's
stored cut points. Registered after the rewards handlers (the app comes later in
INSTALLED_APPS), so the customer order history is already updated for the delivery."""

from __future__ import annotations

# Every event that can change whether an order counts (paid, kept) or its referral's state.
ORDER_EVENTS = (
    "ORDER_CREATED", "ORDER_PAID", "ORDER_FULLY_PAID", "ORDER_FULFILLED", "ORDER_CANCELLED",
    "ORDER_REFUNDED", "ORDER_FULLY_REFUNDED",
)


def order_event_segments(delivery) -> None:
    """Idempotent: a replayed delivery recomputes the same customers to the same figures."""
    from django.utils import timezone

    from plugin.segments.services import order_customers, segments_update_customers

    order_id = ((delivery.payload or {}).get("order") or {}).get("id")
    if not order_id:
        return
    installation = delivery.installation
    emails = order_customers(installation=installation, order_id=order_id)
    segments_update_customers(installation=installation, emails=emails, now=timezone.now())


def handlers_register() -> None:
    from plugin.webhooks.handlers import handled_events, register_handler

    for event in ORDER_EVENTS:
        if event in handled_events():
            register_handler(event, order_event_segments)
