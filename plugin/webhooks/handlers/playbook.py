"""Order events → the playbook: plan invites after a first paid order and its delivery, and note
sleeping customers who woke up. Registered after the rewards handlers (history is recorded)."""

from __future__ import annotations

ORDER_EVENTS = ("ORDER_PAID", "ORDER_FULLY_PAID", "ORDER_FULFILLED")


def order_event_playbook(delivery) -> None:
    from django.utils import timezone

    from plugin.playbook.invites import invites_plan_for_order, planned_message_send
    from plugin.playbook.win_back import win_back_wake

    order = (delivery.payload or {}).get("order") or {}
    if not order.get("id"):
        return
    now = timezone.now()
    planned = invites_plan_for_order(installation=delivery.installation, event=delivery.event,
                                     order=order, now=now)
    for message in planned:
        if message.due_at <= now:  # the first-order invite goes out at once
            planned_message_send(message=message, now=now)
    win_back_wake(installation=delivery.installation, order_id=order["id"])


def handlers_register() -> None:
    from plugin.webhooks.handlers import handled_events, register_handler

    for event in ORDER_EVENTS:
        if event in handled_events():
            register_handler(event, order_event_playbook)
