"""Telling share-link visitors apart without keeping who they are.

A visitor is an HMAC of (address, browser, day) under a key derived from SECRET_KEY: the same
person opening a link ten times a day counts once, the stored value says nothing about their
address, and tomorrow's key cannot be linked to today's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from plugin.client_address import client_address

MAX_USER_AGENT = 512  # enough to tell browsers apart; the rest of a long header is noise
VISIT_RATE = "60/h"  # new visits one address may record: rotating browser names fills no table


def _key() -> bytes:
    return hashlib.sha256(b"referral-visitor:" + settings.SECRET_KEY.encode()).digest()


def visitor_key(*, address: str, user_agent: str, day: date) -> str:
    message = "\n".join((day.isoformat(), address, user_agent[:MAX_USER_AGENT])).encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def link_visit_count(request: HttpRequest, *, group: str, record: Callable[..., Any]) -> None:
    """Counts a share link's visit once per visitor per day through `record(visitor_key=, now=,
    via=)`; beyond VISIT_RATE from one address (`group` its budget) the link still works,
    uncounted."""
    if is_ratelimited(request, group=group, key="ip", rate=VISIT_RATE, increment=True):
        return
    now = timezone.now()
    visitor = visitor_key(address=client_address(request),
                          user_agent=request.headers.get("User-Agent", ""), day=now.date())
    record(visitor_key=visitor, now=now, via="qr" if request.GET.get("via") == "qr" else "link")
