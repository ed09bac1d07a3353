"""Plugs the order-event use cases into the webhook handler registry (imported at start-up)."""

from __future__ import annotations

ORDER_EVENTS = (
    "ORDER_CREATED",
    "ORDER_PAID",
    "ORDER_FULLY_PAID",
    "ORDER_FULFILLED",
    "ORDER_CANCELLED",
    "ORDER_REFUNDED",
    "ORDER_FULLY_REFUNDED",
)


def order_event_handle(delivery) -> None:
    """A stored ORDER_* delivery → the rewards use case (idempotent; replays change nothing)."""
    from plugin.use_cases.rewards import order_event_process

    order_event_process(
        installation=delivery.installation,
        event=delivery.event,
        payload=delivery.payload,
        delivery_id=str(getattr(delivery, "pk", "") or ""),
    )


def handlers_register() -> None:
    from plugin.webhooks.handlers import handled_events, register_handler

    for event in ORDER_EVENTS:
        if event in handled_events():  # only what the manifest declares can be delivered
            register_handler(event, order_event_handle)
