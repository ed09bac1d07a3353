"""Customers and referral codes from Saleor payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugin.saleor.mappers.common import (
    clean_code,
    metadata_dict,
    normalise_email,
    parse_datetime,
)
from plugin.saleor.money import PayloadError

# Checkout/order metadata: the code the shopper came with (`referral_code`, copied from the
# checkout onto the order); a user's sign-up code is `signup_referral_code`.
REFERRAL_CODE_KEYS = ("referral_code", "signup_referral_code")
# On a user, `referral_code` is their *own* code; these name the code that referred them.
REFERRED_BY_KEYS = ("signup_referral_code", "referred_by")


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """A Saleor customer as a payload shows them."""

    id: str
    email: str | None  # normalised
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    is_confirmed: bool = False
    is_staff: bool = False
    date_joined: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    private_metadata: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def own_referral_code(self) -> str | None:
        return clean_code(self.metadata.get("referral_code"))

    @property
    def referred_by_code(self) -> str | None:
        return referral_code_from_metadata(self.metadata, keys=REFERRED_BY_KEYS)


def referral_code_from_metadata(
    metadata: Any, *, keys: tuple[str, ...] = REFERRAL_CODE_KEYS
) -> str | None:
    """The first usable code under `keys` in a metadata list (or dict); None if there is none."""
    values = metadata_dict(metadata)
    for key in keys:
        code = clean_code(values.get(key))
        if code:
            return code
    return None


def user_ref(user: Any) -> CustomerRef | None:
    """A `User` object (`{"id", "email", …}`) → CustomerRef; None for null (guest/deleted)."""
    if user is None:
        return None
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise PayloadError("user without an id")
    return CustomerRef(
        id=user["id"],
        email=normalise_email(user.get("email")),
        first_name=user.get("firstName") or "",
        last_name=user.get("lastName") or "",
        is_active=user.get("isActive", True) is not False,
        is_confirmed=user.get("isConfirmed") is True,
        is_staff=user.get("isStaff") is True,
        date_joined=parse_datetime(user.get("dateJoined")),
        metadata=metadata_dict(user.get("metadata")),
        private_metadata=metadata_dict(user.get("privateMetadata")),
    )


def customer_ref(payload: Any) -> CustomerRef | None:
    """The customer of a CUSTOMER_* / ACCOUNT_* event payload, or a user object itself.

    None when Saleor nulled the user (e.g. CUSTOMER_DELETED asking for a forbidden field).
    """
    if not isinstance(payload, dict):
        raise PayloadError("customer payload is not an object")
    if "user" in payload and ("__typename" in payload or "id" not in payload):
        return user_ref(payload["user"])
    return user_ref(payload)
