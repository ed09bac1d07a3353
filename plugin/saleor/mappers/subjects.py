"""Small readers of webhook payloads the referral side needs: the subject, who, metadata, money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugin.referrals.identity import email_normalise

_SUBJECT_KEYS = ("checkout", "order", "user")


def subject_of(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The checkout, order or user a delivery is about; a bare object is returned as it is."""
    if not payload:
        return {}
    for key in _SUBJECT_KEYS:
        if key in payload and ("__typename" in payload or "issuedAt" in payload):
            return payload.get(key) or {}
    return payload


def customer_of(obj: dict[str, Any]) -> tuple[str, str]:
    """(Saleor user id or "", normalised e-mail) of a checkout, order or user object."""
    user = obj.get("user") or {}
    if "isStaff" in obj or "dateJoined" in obj:
        user = obj  # the object is a user itself
    email = obj.get("userEmail") or obj.get("email") or user.get("email") or ""
    return str(user.get("id") or ""), email_normalise(email)


def metadata_of(obj: dict[str, Any]) -> dict[str, str]:
    return {item["key"]: item["value"] for item in obj.get("metadata") or [] if "key" in item}


def money_amount(value: Any) -> Decimal:
    """A JSON money number (or a Money / TaxedMoney object) as an exact Decimal."""
    if isinstance(value, dict):
        value = (value.get("gross") or value).get("amount")
    if value is None:
        return Decimal(0)
    return Decimal(str(value))


def currency_of(obj: dict[str, Any]) -> str:
    channel = obj.get("channel") or {}
    total = obj.get("totalPrice") or obj.get("total") or {}
    return channel.get("currencyCode") or total.get("currency") or ""
