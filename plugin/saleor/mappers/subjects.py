"""Who and what a delivery is about: its subject (checkout, order or user), the customer, the
metadata, the currency and whether an order is paid. Lenient on purpose: a missing field reads as
empty, so a partial payload still says what it can."""

from __future__ import annotations

from typing import Any

_SUBJECT_KEYS = ("checkout", "order", "user")
_PAID_CHARGE_STATUSES = frozenset({"FULL", "OVERCHARGED"})


def subject_of(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The checkout, order or user a delivery is about; a bare object is returned as it is."""
    if not payload:
        return {}
    for key in _SUBJECT_KEYS:
        if key in payload and ("__typename" in payload or "issuedAt" in payload):
            return payload.get(key) or {}
    return payload


def customer_of(obj: dict[str, Any]) -> tuple[str, str]:
    """(Saleor user id or "", e-mail as Saleor has it) of a checkout, order or user object.

    The e-mail is not normalised here: who counts as one customer is the referrals' rule
    (`plugin.referrals.identity.email_normalise`)."""
    user = obj.get("user") or {}
    if "isStaff" in obj or "dateJoined" in obj:
        user = obj  # the object is a user itself
    email = obj.get("userEmail") or obj.get("email") or user.get("email") or ""
    return str(user.get("id") or ""), email


def metadata_of(obj: dict[str, Any]) -> dict[str, str]:
    return {item["key"]: item["value"] for item in obj.get("metadata") or [] if "key" in item}


def currency_of(obj: dict[str, Any]) -> str:
    channel = obj.get("channel") or {}
    total = obj.get("totalPrice") or obj.get("total") or {}
    return channel.get("currencyCode") or total.get("currency") or ""


def order_is_paid(order: dict[str, Any]) -> bool:
    """Saleor says so (`isPaid`), or its charges cover the total."""
    return bool(order.get("isPaid")) or order.get("chargeStatus") in _PAID_CHARGE_STATUSES
