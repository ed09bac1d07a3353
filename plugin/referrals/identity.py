"""Normalising who a customer is: e-mails (case, Gmail dots, +tags) and shipping addresses."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_SPACES = re.compile(r"\s+")


def email_normalise(email: str | None) -> str:
    """One spelling per mailbox: lower case, `+tag` dropped, Gmail's dots ignored.

    `Bob.Friend+promo@GoogleMail.com` and `bobfriend@gmail.com` reach the same inbox, so they
    must count as one customer both for "new customer" and for self-referral.
    """
    text = (email or "").strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return text
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def _fold(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", re.sub(r"[^\w ]", " ", text.lower())).strip()


def address_fingerprint(address: Mapping[str, Any] | None) -> str:
    """A stable hash of where parcels go (street, city, postcode, country); "" if unknown.

    Names are left out on purpose: a self-referral under another name still ships to the same door.
    """
    if not address or not address.get("streetAddress1"):
        return ""
    country = address.get("country") or {}
    country_code = country.get("code", "") if isinstance(country, Mapping) else str(country)
    parts = [
        _fold(address.get("streetAddress1")),
        _fold(address.get("streetAddress2")),
        _fold(address.get("postalCode")).replace(" ", ""),
        _fold(address.get("city")),
        _fold(country_code),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
