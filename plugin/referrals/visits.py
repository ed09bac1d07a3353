"""Telling share-link visitors apart without keeping who they are.

A visitor is an HMAC of (address, browser, day) under a key derived from SECRET_KEY: the same
person opening a link ten times a day counts once, the stored value says nothing about their
address, and tomorrow's key cannot be linked to today's.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from django.conf import settings

MAX_USER_AGENT = 512  # enough to tell browsers apart; the rest of a long header is noise


def _key() -> bytes:
    return hashlib.sha256(b"referral-visitor:" + settings.SECRET_KEY.encode()).digest()


def visitor_key(*, address: str, user_agent: str, day: date) -> str:
    message = "\n".join((day.isoformat(), address, user_agent[:MAX_USER_AGENT])).encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
