"""Sending the shopper e-mails: render the (overridable) templates, send once per key, after commit.

Templates live in `templates/messages/<name>_subject.txt`, `<name>.txt` and optionally
`<name>.html`. A merchant overrides them by putting files of the same names in the directory
named by MESSAGES_TEMPLATE_DIR (per installation under `installations/<id>/`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import select_template

from plugin.messages.models import SentMessage

log = logging.getLogger("plugin.messages")

TEMPLATES = ("invite", "friend_joined", "reward_held", "reward_issued", "reward_voided")
TEMPLATES += ("voucher_code_changed",)  # a voucher code replaced by a safer one
# Shipped by other apps in their own templates/messages/: contests and the playbook.
TEMPLATES += (
    "contest_winner",
    "referral_invite",
    "referral_followup",
    "social_share",
    "win_back",
    "reorder_reminder",
)

# Checks every e-mail must pass, e.g. the unsubscribe list (`message_guard_register`).
_send_guards: list[Any] = []


def message_guard_register(guard: Any) -> None:
    """Adds `guard(installation=, to=, template=) -> bool`; False stops that e-mail."""
    if guard not in _send_guards:
        _send_guards.append(guard)


# Renderers other apps add, asked before the template files (e.g. the merchant's own copy).
_renderers: list[Any] = []


def message_renderer_register(renderer: Any) -> None:
    """Adds `renderer(installation=, template=, context=) -> (subject, text, html) | None`."""
    if renderer not in _renderers:
        _renderers.append(renderer)


def _names(installation, template: str, suffix: str) -> list[str]:
    names = [f"messages/{template}{suffix}"]
    if installation is not None:
        names.insert(0, f"messages/installations/{installation.pk}/{template}{suffix}")
    return names


def message_render(
    *, installation, template: str, context: dict[str, Any]
) -> tuple[str, str, str | None]:
    """Subject (one line), plain text and HTML (None when no HTML template exists)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown message template {template!r}")
    context = {"shop_name": getattr(settings, "SHOP_NAME", "our shop"), **context}
    for renderer in _renderers:
        rendered = renderer(installation=installation, template=template, context=context)
        if rendered is not None:
            subject, text, html = rendered
            return " ".join(subject.split())[:255], text.strip() + "\n", html
    subject = select_template(_names(installation, template, "_subject.txt")).render(context)
    text = select_template(_names(installation, template, ".txt")).render(context)
    try:
        html = select_template(_names(installation, template, ".html")).render(context)
    except TemplateDoesNotExist:
        html = None
    return " ".join(subject.split())[:255], text.strip() + "\n", html


def message_send(
    *, installation, key: str, template: str, to: str, context: dict[str, Any]
) -> bool:
    """Send `template` to `to` once per `key`, after the current transaction commits.

    Returns False when this key was already sent (a replayed event) or there is no address.
    """
    if not to or "@" not in to:
        return False
    if not all(
        guard(installation=installation, to=to, template=template) for guard in _send_guards
    ):
        return False
    subject, text, html = message_render(
        installation=installation, template=template, context=context
    )
    try:
        with transaction.atomic():
            record = SentMessage.objects.create(
                installation=installation, key=key, template=template, to=to, subject=subject
            )
    except IntegrityError:
        return False

    def deliver() -> None:
        mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
        if html:
            mail.attach_alternative(html, "text/html")
        try:
            mail.send()
        except Exception:  # the record goes, so a later run can try again
            log.exception("e-mail %s to %s failed", template, to)
            SentMessage.objects.filter(pk=record.pk).delete()

    transaction.on_commit(deliver)
    return True


def invite_send(
    *, installation, to: str, name: str = "", link: str, code: str, key: str | None = None
) -> bool:
    """ "Your referral link": the customer's own code and link to share."""
    return message_send(
        installation=installation,
        key=key or f"invite:{to.lower()}:{code}",
        template="invite",
        to=to,
        context={"name": name, "link": link, "code": code},
    )


def friend_joined_send(
    *, installation, to: str, friend: str, order_number: str = "", key: str
) -> bool:
    """ "Your friend used your link": tells the referrer a referral converted."""
    return message_send(
        installation=installation,
        key=key,
        template="friend_joined",
        to=to,
        context={"friend": friend, "order_number": order_number},
    )
