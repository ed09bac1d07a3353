"""Event envelopes, gift card and voucher events from Saleor payloads into small frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from plugin.saleor.mappers.common import metadata_dict, normalise_email, parse_datetime
from plugin.saleor.money import PayloadError, optional_money, to_decimal
from rules.money import Money


@dataclass(frozen=True, slots=True)
class EventMeta:
    """Who caused an event and when; the app's own mutations have principal kind "app"."""

    typename: str  # e.g. "OrderCreated"
    issued_at: datetime | None
    version: str | None
    principal_kind: str | None  # "app" | "user" | None (anonymous storefront call)
    principal_id: str | None
    principal_label: str | None  # the app's name or the user's e-mail
    recipient_app_id: str | None
    errors: tuple[dict[str, Any], ...] = ()  # top-level GraphQL errors inside the payload

    def is_by_app(self, app_id: str) -> bool:
        """True when the app `app_id` itself caused this event (e.g. its own mutation)."""
        return self.principal_kind == "app" and self.principal_id == app_id

    @property
    def error_paths(self) -> tuple[str, ...]:
        return tuple(".".join(str(p) for p in e.get("path") or ()) for e in self.errors)


def event_meta(payload: Any) -> EventMeta:
    if not isinstance(payload, dict):
        raise PayloadError("event payload is not an object")
    principal = payload.get("issuingPrincipal")
    kind = principal_id = label = None
    if isinstance(principal, dict):
        typename = principal.get("__typename")
        kind = {"App": "app", "User": "user"}.get(str(typename), str(typename).lower())
        principal_id = principal.get("id")
        label = principal.get("name") if kind == "app" else principal.get("email")
    recipient = payload.get("recipient")
    errors = payload.get("errors") or ()
    return EventMeta(
        typename=str(payload.get("__typename") or ""),
        issued_at=parse_datetime(payload.get("issuedAt")),
        version=payload.get("version"),
        principal_kind=kind,
        principal_id=principal_id,
        principal_label=label,
        recipient_app_id=recipient.get("id") if isinstance(recipient, dict) else None,
        errors=tuple(e for e in errors if isinstance(e, dict)),
    )


@dataclass(frozen=True, slots=True)
class GiftCardEvent:
    """A GIFT_CARD_CREATED / _UPDATED / _SENT. The full code is left out on purpose."""

    kind: str  # "created" | "updated" | "sent"
    id: str
    last4: str | None
    is_active: bool
    initial_balance: Money | None
    current_balance: Money | None
    expiry_date: date | None
    tags: tuple[str, ...]
    sent_to_email: str | None  # GIFT_CARD_SENT only, normalised
    channel: str | None  # GIFT_CARD_SENT only
    created_by_email: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    private_metadata: dict[str, str] = field(default_factory=dict)


_GIFT_CARD_KINDS = {
    "GiftCardCreated": "created",
    "GiftCardUpdated": "updated",
    "GiftCardSent": "sent",
    "GiftCardStatusChanged": "status_changed",
    "GiftCardDeleted": "deleted",
}


def gift_card_event(payload: Any) -> GiftCardEvent:
    if not isinstance(payload, dict) or not isinstance(payload.get("giftCard"), dict):
        raise PayloadError("payload has no giftCard")
    card = payload["giftCard"]
    expiry = card.get("expiryDate")
    try:
        expiry_date = date.fromisoformat(expiry) if expiry else None
    except (TypeError, ValueError) as exc:
        raise PayloadError(f"not a date: {expiry!r}") from exc
    return GiftCardEvent(
        kind=_GIFT_CARD_KINDS.get(str(payload.get("__typename")), "unknown"),
        id=card["id"],
        last4=card.get("last4CodeChars"),
        is_active=card.get("isActive") is True,
        initial_balance=optional_money(card.get("initialBalance")),
        current_balance=optional_money(card.get("currentBalance")),
        expiry_date=expiry_date,
        tags=tuple(t["name"] for t in card.get("tags") or () if isinstance(t, dict)),
        sent_to_email=normalise_email(payload.get("sentToEmail")),
        channel=payload.get("channel") if isinstance(payload.get("channel"), str) else None,
        created_by_email=normalise_email(card.get("createdByEmail")),
        metadata=metadata_dict(card.get("metadata")),
        private_metadata=metadata_dict(card.get("privateMetadata")),
    )


@dataclass(frozen=True, slots=True)
class VoucherCodeRef:
    id: str
    code: str
    used: int
    is_active: bool


@dataclass(frozen=True, slots=True)
class VoucherChannelValue:
    channel: str
    currency: str | None
    discount_value: Decimal | None  # percent or major units, per `discount_value_type`


@dataclass(frozen=True, slots=True)
class VoucherEvent:
    """VOUCHER_CREATED / _UPDATED (voucher fields) or VOUCHER_CODES_CREATED / _DELETED (codes).

    A VoucherCode carries no link to its voucher, so code events have `voucher_id` None.
    """

    kind: str  # "created" | "updated" | "deleted" | "codes_created" | "codes_deleted"
    voucher_id: str | None
    name: str | None = None
    code: str | None = None
    voucher_type: str | None = None  # ENTIRE_ORDER, SHIPPING, SPECIFIC_PRODUCT
    discount_value_type: str | None = None  # PERCENTAGE | FIXED
    single_use: bool = False
    usage_limit: int | None = None
    used: int | None = None
    codes: tuple[VoucherCodeRef, ...] = ()
    channel_values: tuple[VoucherChannelValue, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)


_VOUCHER_KINDS = {
    "VoucherCreated": "created",
    "VoucherUpdated": "updated",
    "VoucherDeleted": "deleted",
    "VoucherCodesCreated": "codes_created",
    "VoucherCodesDeleted": "codes_deleted",
}


def _code_ref(code: Any) -> VoucherCodeRef:
    if not isinstance(code, dict) or not isinstance(code.get("id"), str):
        raise PayloadError("voucher code without an id")
    return VoucherCodeRef(
        id=code["id"],
        code=str(code.get("code") or ""),
        used=int(code.get("used") or 0),
        is_active=code.get("isActive") is not False,
    )


def voucher_event(payload: Any) -> VoucherEvent:
    if not isinstance(payload, dict):
        raise PayloadError("voucher payload is not an object")
    kind = _VOUCHER_KINDS.get(str(payload.get("__typename")), "unknown")
    if "voucherCodes" in payload:
        codes = tuple(_code_ref(c) for c in payload.get("voucherCodes") or ())
        return VoucherEvent(kind=kind, voucher_id=None, codes=codes)
    voucher = payload.get("voucher")
    if not isinstance(voucher, dict):
        raise PayloadError("payload has no voucher")
    values = tuple(
        VoucherChannelValue(
            channel=str((listing.get("channel") or {}).get("slug") or ""),
            currency=listing.get("currency"),
            discount_value=(
                to_decimal(listing["discountValue"])
                if listing.get("discountValue") is not None
                else None
            ),
        )
        for listing in voucher.get("channelListings") or ()
    )
    return VoucherEvent(
        kind=kind,
        voucher_id=voucher.get("id"),
        name=voucher.get("name"),
        code=voucher.get("code"),
        voucher_type=voucher.get("type"),
        discount_value_type=voucher.get("discountValueType"),
        single_use=voucher.get("singleUse") is True,
        usage_limit=voucher.get("usageLimit"),
        used=voucher.get("used"),
        channel_values=values,
        metadata=metadata_dict(voucher.get("metadata")),
    )
