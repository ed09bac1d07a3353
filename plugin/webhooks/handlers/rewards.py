"""Order events → the rewards use case (decide, record, hold, release, void)."""

from __future__ import annotations

from plugin.use_cases.rewards import order_event_process


def order_event_handle(delivery) -> None:
    """A stored ORDER_* delivery → the rewards use case (idempotent; replays change nothing)."""
    order_event_process(
        installation=delivery.installation,
        event=delivery.event,
        payload=delivery.payload,
        delivery_id=str(getattr(delivery, "pk", "") or ""),
    )
