"""Order events → the playbook: plan invites after a first paid order and its delivery, and note
sleeping customers who woke up. Listed after the rewards handler (history is recorded)."""

from __future__ import annotations

from django.utils import timezone

from plugin.playbook.invites import invites_plan_for_order, planned_message_send
from plugin.playbook.win_back import win_back_wake


def order_event_playbook(delivery) -> None:
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

