"""Plugs the partner commission use case into the order webhooks (imported at start-up).

Registered after the rewards handlers (the app comes later in INSTALLED_APPS), so what the
ledger knows about the order is updated for the delivery before commissions are decided.
"""

from __future__ import annotations

ORDER_EVENTS = (
    "ORDER_CREATED", "ORDER_PAID", "ORDER_FULLY_PAID", "ORDER_FULFILLED", "ORDER_CANCELLED",
    "ORDER_REFUNDED", "ORDER_FULLY_REFUNDED",
)


def order_commission_handle(delivery) -> None:
    """A stored ORDER_* delivery → the partner's commission (idempotent)."""
    from plugin.use_cases.affiliate_commission import order_commission_process

    order_commission_process(installation=delivery.installation, event=delivery.event,
                             payload=delivery.payload,
                             delivery_id=str(getattr(delivery, "pk", "") or ""))


def handlers_register() -> None:
    from plugin.webhooks.handlers import handled_events, register_handler

    for event in ORDER_EVENTS:
        if event in handled_events():
            register_handler(event, order_commission_handle)
