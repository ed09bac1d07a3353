"""Writes of the playbook: plan an e-mail once per cause (invites and reminders share it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from plugin.playbook.models import PlannedMessage
from plugin.playbook.unsubscribe import is_unsubscribed
from plugin.referrals.identity import email_normalise


def planned_message_add(*, installation: Any, key: str, kind: str, email: str, due_at: datetime,
                        customer_id: str = "", name: str = "", order_id: str = ""
                        ) -> PlannedMessage | None:
    """Plan one e-mail once per `key`; None when it was planned before or the address opted out."""
    email = email_normalise(email)
    if not email or is_unsubscribed(installation=installation, email=email):
        return None
    try:
        with transaction.atomic():
            return PlannedMessage.objects.create(
                installation=installation, key=key, kind=kind, email=email, due_at=due_at,
                customer_id=customer_id, name=name[:120], order_id=order_id,
            )
    except IntegrityError:
        return None
