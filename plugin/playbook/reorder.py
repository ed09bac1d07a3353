"""Reorder reminders: a regular's next order is predicted from their rhythm; a few days before
it, they get a reminder with a "repeat my last order" link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from plugin.playbook.models import PlannedMessage
from plugin.playbook.rhythms import Rhythm, customer_rhythms
from plugin.playbook.selectors import playbook_settings_get
from plugin.playbook.services import planned_message_add
from plugin.playbook.unsubscribe import unsubscribe_url
from plugin.referrals.selectors import referral_settings_get


def reorder_link(*, installation: Any, order_id: str) -> str:
    """The storefront with `?reorder=<Saleor order id>`: the storefront, where the shopper is
    signed in, puts that order's lines back into a checkout ("" without a storefront URL)."""

    storefront = referral_settings_get(installation=installation).storefront_url
    if not storefront:
        return ""
    joiner = "&" if "?" in storefront else "?"
    return f"{storefront}{joiner}{urlencode({'reorder': order_id})}"


def reorder_reminders_plan(*, installation: Any, now: datetime) -> int:
    """Plan a reminder for every regular whose predicted next order is close and not yet
    passed by a whole period (sleeping customers get the win-back offer instead)."""

    settings = playbook_settings_get(installation=installation)
    ahead = timedelta(days=settings.reorder_days_before)
    planned = 0
    for rhythm in customer_rhythms(installation=installation, now=now):
        if rhythm.orders < settings.regular_min_orders or rhythm.periods_missed >= 1:
            continue
        if not (rhythm.next_order_at - ahead <= now < rhythm.next_order_at + rhythm.usual_interval):
            continue
        if planned_message_add(
            installation=installation, key=f"reorder:{rhythm.email}:{rhythm.last_order_id}",
            kind=PlannedMessage.Kind.REORDER, email=rhythm.email,
            customer_id=rhythm.customer_id, order_id=rhythm.last_order_id, due_at=now,
        ):
            planned += 1
    return planned


def reorder_context(*, message: PlannedMessage) -> dict:
    rhythm: Rhythm | None = next(iter(customer_rhythms(
        installation=message.installation, now=message.due_at, email=message.email)), None)
    return {
        "name": message.name,
        "reorder_url": reorder_link(installation=message.installation, order_id=message.order_id),
        "next_order": rhythm.next_order_at.date() if rhythm else None,
        "usual_days": rhythm.usual_interval.days if rhythm else None,
        "unsubscribe_url": unsubscribe_url(installation=message.installation,
                                           email=message.email),
    }
