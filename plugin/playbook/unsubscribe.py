"""The unsubscribe list: signed per-address links, the check every e-mail passes, and the writes.

A link carries the installation and the address, signed with the app's secret (no lookup table,
no guessable ids); it never expires, as unsubscribe links in old e-mails must keep working.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from plugin.playbook.models import Unsubscribe
from plugin.referrals.identity import email_normalise

_SALT = "plugin.playbook.unsubscribe"


def unsubscribe_token(*, installation: Any, email: str) -> str:
    return signing.dumps({"i": installation.pk, "e": email_normalise(email)}, salt=_SALT,
                         compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(installation id, e-mail) of a genuine token, else None."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not data.get("e"):
        return None
    return data["i"], str(data["e"])


def unsubscribe_url(*, installation: Any, email: str) -> str:
    path = reverse("unsubscribe", kwargs={"token": unsubscribe_token(
        installation=installation, email=email)})
    return (settings.APP_URL or "").rstrip("/") + path


def is_unsubscribed(*, installation: Any, email: str) -> bool:
    return Unsubscribe.objects.filter(
        installation=installation, email=email_normalise(email)
    ).exists()


def unsubscribe_guard(*, installation: Any, to: str, template: str) -> bool:
    """The check `message_send` runs for every e-mail: nothing to an unsubscribed address."""
    if installation is None:
        return True
    return not is_unsubscribed(installation=installation, email=to)


def unsubscribe_record(*, installation: Any, email: str) -> Unsubscribe:
    found, _ = Unsubscribe.objects.get_or_create(
        installation=installation, email=email_normalise(email)
    )
    return found


def unsubscribe_undo(*, installation: Any, email: str) -> None:
    Unsubscribe.objects.filter(installation=installation, email=email_normalise(email)).delete()
