"""Referral invites at the right moment: after a customer's first paid order, again a few days
after its delivery, and one follow-up; each with the customer's own link and QR code.

Webhooks plan the e-mails (`PlannedMessage`, once per cause); `planned_messages_send` sends the
due ones (periodic task, `manage.py invites_send`). Unsubscribed addresses are never planned,
and the send checks again, as someone may unsubscribe in between.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.messages.services import message_render, message_send
from plugin.playbook.models import PlannedMessage
from plugin.playbook.reorder import reorder_context
from plugin.playbook.selectors import playbook_settings_get
from plugin.playbook.services import planned_message_add
from plugin.playbook.unsubscribe import is_unsubscribed, unsubscribe_url
from plugin.referrals.identity import email_normalise
from plugin.referrals.links import referral_link
from plugin.referrals.models import CustomerOrder, Referral, ReferralVisit
from plugin.referrals.services import referral_code_create

log = logging.getLogger("plugin.playbook")
PAID_EVENTS = ("ORDER_PAID", "ORDER_FULLY_PAID")
TEMPLATE_OF = {
    PlannedMessage.Kind.INVITE_PAID: "referral_invite",
    PlannedMessage.Kind.INVITE_FULFILLED: "referral_invite",
    PlannedMessage.Kind.FOLLOWUP: "referral_followup",
    PlannedMessage.Kind.REORDER: "reorder_reminder",
}


def _is_first_paid_order(*, installation: Any, email: str, order_id: str) -> bool:
    paid = (
        CustomerOrder.objects.filter(installation=installation, email=email,
                                     paid_at__isnull=False)
        .order_by("paid_at", "id")
        .values_list("order_id", flat=True)
    )
    return paid.first() == order_id


def invites_plan_for_order(*, installation: Any, event: str, order: dict,
                           now: datetime | None = None) -> list[PlannedMessage]:
    """Plan the invites an order event calls for (only for the customer's first paid order)."""
    settings = playbook_settings_get(installation=installation)
    user = order.get("user") or {}
    email = email_normalise(order.get("userEmail") or user.get("email"))
    if not email or not _is_first_paid_order(
            installation=installation, email=email, order_id=order["id"]):
        return []
    now = now or timezone.now()
    common = {"installation": installation, "email": email, "customer_id": user.get("id") or "",
              "name": user.get("firstName") or "", "order_id": order["id"]}
    planned: list[PlannedMessage | None] = []
    if event in PAID_EVENTS and settings.invite_after_first_paid:
        planned.append(planned_message_add(
            key=f"invite_paid:{email}", kind=PlannedMessage.Kind.INVITE_PAID, due_at=now,
            **common))
    if event == "ORDER_FULFILLED" and settings.invite_after_fulfilment:
        fulfilled = _fulfilled_at(order) or now
        planned.append(planned_message_add(
            key=f"invite_fulfilled:{email}", kind=PlannedMessage.Kind.INVITE_FULFILLED,
            due_at=fulfilled + timedelta(days=settings.fulfilment_invite_delay_days), **common))
    return [p for p in planned if p is not None]


def _fulfilled_at(order: dict) -> datetime | None:
    times = [parse_datetime(str(f.get("created") or "")) for f in order.get("fulfillments") or []]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _has_shared(*, installation: Any, email: str) -> bool:
    """Whether the customer's link already brought anyone (a visit or a referral)."""

    visits = ReferralVisit.objects.filter(installation=installation, code__owner_email=email)
    referrals = Referral.objects.filter(installation=installation, referrer_email=email)
    return visits.exists() or referrals.exists()


def invite_context(*, installation: Any, email: str, customer_id: str, name: str) -> dict:
    """The customer's code, share link, QR image URL, share copy and unsubscribe link."""
    from django.conf import settings

    code = referral_code_create(installation=installation, customer_id=customer_id or None,
                                email=email, name=name or None)
    link = referral_link(code=code)
    qr = (settings.APP_URL or "").rstrip("/") + reverse(
        "referral-qr", kwargs={"code": code.code, "kind": "png"})

    context = {"name": name, "code": code.code, "link": link, "qr_url": qr,
               "unsubscribe_url": unsubscribe_url(installation=installation, email=email)}
    _, share_text, _ = message_render(installation=installation, template="social_share",
                                      context=context)
    return {**context, "share_text": share_text.strip()}


def planned_message_send(*, message: PlannedMessage, now: datetime) -> bool:
    """Send one due message (or record why not); never twice."""

    with transaction.atomic():
        locked = PlannedMessage.objects.select_for_update().filter(
            pk=message.pk, sent_at=None, skipped="").first()
        if locked is None:
            return False
        installation = locked.installation
        if is_unsubscribed(installation=installation, email=locked.email):
            locked.skipped = "unsubscribed"
        elif locked.kind == PlannedMessage.Kind.FOLLOWUP and _has_shared(
                installation=installation, email=locked.email):
            locked.skipped = "already sharing"
        if locked.skipped:
            locked.save(update_fields=["skipped"])
            return False
        if locked.kind == PlannedMessage.Kind.REORDER:
            context = reorder_context(message=locked)
        else:
            context = invite_context(installation=installation, email=locked.email,
                                     customer_id=locked.customer_id, name=locked.name)
        sent = message_send(installation=installation, key=f"playbook:{locked.key}",
                            template=TEMPLATE_OF[locked.kind], to=locked.email, context=context)
        locked.sent_at = now
        locked.skipped = "" if sent else "not delivered"
        locked.save(update_fields=["sent_at", "skipped"])
        if sent and locked.kind in (PlannedMessage.Kind.INVITE_PAID,
                                    PlannedMessage.Kind.INVITE_FULFILLED):
            _followup_plan(message=locked, now=now)
        return sent


def _followup_plan(*, message: PlannedMessage, now: datetime) -> None:
    settings = playbook_settings_get(installation=message.installation)
    planned_message_add(
        installation=message.installation, key=f"followup:{message.email}",
        kind=PlannedMessage.Kind.FOLLOWUP, email=message.email, customer_id=message.customer_id,
        name=message.name, due_at=now + timedelta(days=settings.followup_after_days),
    )


def planned_messages_send(*, now: datetime, installation: Any = None) -> int:
    """Send every due planned e-mail; returns how many went out."""
    due = PlannedMessage.objects.filter(due_at__lte=now, sent_at=None, skipped="",
                                        installation__is_active=True)
    if installation is not None:
        due = due.filter(installation=installation)
    sent = 0
    for message in due.select_related("installation").order_by("due_at", "id")[:1000]:
        try:
            sent += planned_message_send(message=message, now=now)
        except Exception:  # one bad address must not stop the others
            log.exception("planned message %s failed", message.pk)
    return sent
