"""The unsubscribe list: signed per-address links, the check every e-mail passes, and the writes.

Addresses are kept and linked only as a keyed hash (HMAC of the normalised e-mail), so neither
the table nor the link in an e-mail reveals who it is. Links are signed with the app's secret and
never expire, as unsubscribe links in old e-mails must keep working.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from plugin.playbook.models import Unsubscribe
from plugin.referrals.identity import email_normalise

_SALT = "plugin.playbook.unsubscribe"


def email_digest(email: str) -> str:
    key = (settings.SECRET_KEY + _SALT).encode()
    return hmac.new(key, email_normalise(email).encode(), hashlib.sha256).hexdigest()


def unsubscribe_token(*, installation: Any, email: str) -> str:
    return signing.dumps({"i": installation.pk, "d": email_digest(email)}, salt=_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(installation id, e-mail digest) of a genuine token, else None."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(
            data.get("d"), str) or len(data["d"]) != 64:
        return None
    return data["i"], data["d"]


def unsubscribe_url(*, installation: Any, email: str) -> str:
    path = reverse("unsubscribe", kwargs={"token": unsubscribe_token(
        installation=installation, email=email)})
    return (settings.APP_URL or "").rstrip("/") + path


def is_unsubscribed(*, installation: Any, email: str) -> bool:
    return Unsubscribe.objects.filter(
        installation=installation, email_digest=email_digest(email)
    ).exists()


def unsubscribe_guard(*, installation: Any, to: str, template: str) -> bool:
    """The check `message_send` runs for every e-mail: nothing to an unsubscribed address."""
    if installation is None:
        return True
    return not is_unsubscribed(installation=installation, email=to)


def unsubscribe_record(*, installation: Any, digest: str) -> Unsubscribe:
    found, _ = Unsubscribe.objects.get_or_create(installation=installation, email_digest=digest)
    return found


def unsubscribe_undo(*, installation: Any, email: str) -> None:
    Unsubscribe.objects.filter(installation=installation,
                               email_digest=email_digest(email)).delete()
