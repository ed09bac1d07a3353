"""Writes of the referral side: codes (create, deactivate, rotate), visits, attribution,
customers' order history and referral status (review queue decisions)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.referrals.attribution import attribution_resolve
from plugin.referrals.codes import code_generate, code_is_well_formed, code_normalise
from plugin.referrals.fraud import fraud_check
from plugin.referrals.identity import address_fingerprint, email_normalise
from plugin.referrals.models import (
    CustomerOrder,
    Referral,
    ReferralCode,
    ReferralSettings,
    ReferralVisit,
)
from plugin.referrals.order_lines import order_lines_of
from plugin.referrals.selectors import referral_code_of_customer, referral_for_order
from plugin.referrals.signals import code_changed, code_value_changed
from plugin.saleor.mappers.subjects import currency_of, customer_of, subject_of
from plugin.saleor.money import amount_of

logger = logging.getLogger(__name__)
_CODE_ATTEMPTS = 8


def _sync_to_saleor_later(code: ReferralCode) -> None:
    """After commit, mirror the code's state into Saleor (a voucher code, or none)."""
    code_changed.send(sender=ReferralCode, code_id=code.pk)


class ReferralCodeError(ValueError):
    """A code that cannot be stored: malformed, or already someone else's."""


def referral_settings_update(*, installation: Any, **fields: Any) -> ReferralSettings:
    """Save the knobs; a new typed-code value re-prices every code's voucher after commit."""
    settings, _ = ReferralSettings.objects.get_or_create(installation=installation)
    typed_value_before = settings.code_voucher_percent
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean(exclude=["installation"])
    settings.save()
    if settings.code_voucher_percent != typed_value_before:
        code_value_changed.send(sender=ReferralSettings, installation_id=installation.pk)
    return settings


def referral_code_create(
    *,
    installation: Any,
    customer_id: str | None,
    email: str,
    name: str | None = None,
    code: str | None = None,
    address: dict | None = None,
) -> ReferralCode:
    """The customer's active code, created on first ask (idempotent per customer).

    `code` imports an existing code (e.g. a user's `referral_code` metadata); otherwise a
    readable one is generated, with a longer suffix after repeated collisions.
    """
    existing = referral_code_of_customer(
        installation=installation, customer_id=customer_id, email=email
    )
    if existing is not None and (code is None or existing.code == code_normalise(code)):
        return existing
    if code is not None:
        code = code_normalise(code)
        if not code_is_well_formed(code):
            raise ReferralCodeError(f"malformed referral code {code!r}")
    for attempt in range(_CODE_ATTEMPTS):
        candidate = code or code_generate(name=name, email=email, length=4 + attempt // 3)
        try:
            with transaction.atomic():
                created = ReferralCode.objects.create(
                    installation=installation,
                    code=candidate,
                    owner_customer_id=customer_id or "",
                    owner_email=email_normalise(email),
                    owner_name=(name or "")[:120],
                    owner_address_fingerprint=address_fingerprint(address),
                )
            _sync_to_saleor_later(created)
            return created
        except IntegrityError:
            if code is not None:
                raise ReferralCodeError(f"referral code {code!r} is taken") from None
    raise ReferralCodeError("could not find a free referral code")


def referral_code_deactivate(*, code: ReferralCode) -> ReferralCode:
    if code.active:
        code.active = False
        code.deactivated_at = timezone.now()
        code.save(update_fields=["active", "deactivated_at"])
        _sync_to_saleor_later(code)
    return code


def referral_code_rotate(*, code: ReferralCode) -> ReferralCode:
    """Replace a leaked code: the old one stops attributing, the owner keeps their history."""
    with transaction.atomic():
        referral_code_deactivate(code=code)
        fresh = referral_code_create(
            installation=code.installation,
            customer_id=code.owner_customer_id,
            email=code.owner_email,
            name=code.owner_name,
        )
        fresh.rotated_from = code
        fresh.leaderboard_name = code.leaderboard_name
        fresh.owner_address_fingerprint = code.owner_address_fingerprint
        fresh.save(update_fields=["rotated_from", "leaderboard_name", "owner_address_fingerprint"])
    return fresh


def referral_visit_record(
    *, code: ReferralCode, visitor_key: str, via: str = "link", now: datetime | None = None
) -> bool:
    """Counts a visitor's first opening of the link on a day; True when it was the first."""
    _visit, created = ReferralVisit.objects.get_or_create(
        code=code,
        visitor_key=visitor_key,
        defaults={
            "installation_id": code.installation_id,
            "via": via if via in {"link", "qr"} else "link",
            "created": now or timezone.now(),
        },
    )
    return created


def _existing(*, installation: Any, obj: dict, kind: str) -> Referral | None:
    referrals = Referral.objects.filter(installation=installation).select_related("code")
    if kind == "checkout":
        return referrals.filter(checkout_id=obj.get("id", "")).first()
    if kind == "order":
        return (
            referrals.filter(order_id=obj.get("id", "")).first()
            or (obj.get("checkoutId") and referrals.filter(checkout_id=obj["checkoutId"]).first())
            or None
        )
    email = email_normalise(customer_of(obj)[1])
    return referrals.filter(
        referee_email=email, source=Referral.Source.SIGNUP, checkout_id="", order_id=""
    ).first()


def _judge(*, installation: Any, referral: Referral, obj: dict) -> None:
    """Refuse self-referral at once; send doubtful ones to review (never silently dropped)."""
    if referral.status != Referral.Status.ATTRIBUTED or referral.reviewed_at is not None:
        return
    verdict = fraud_check(installation=installation, referral=referral, order_payload=obj)
    if verdict.verdict != "ok":
        referral_mark(
            referral=referral,
            status=Referral.Status.REFUSED
            if verdict.verdict == "refuse"
            else Referral.Status.REVIEW,
            reason=verdict.reason,
        )


def referral_attribute(
    *, installation: Any, payload: dict, kind: str, now: datetime | None = None
) -> Referral | None:
    """Record (or return) the referral of a checkout, order or sign-up. Idempotent.

    `kind` is `checkout`, `order` or `customer`. Keys: the checkout id, the order id (or its
    checkout's), the referee's e-mail for sign-ups; never a cookie or an IP address.
    """
    if kind not in {"checkout", "order", "customer"}:
        raise ValueError(f"unknown attribution kind {kind!r}")
    now = now or timezone.now()
    obj = subject_of(payload)
    if not obj.get("id"):
        return None
    referee_id, referee_email = customer_of(obj)
    referee_email = email_normalise(referee_email)
    with transaction.atomic():
        existing = _existing(installation=installation, obj=obj, kind=kind)
        found = attribution_resolve(installation=installation, obj=obj, kind=kind, now=now)
        if existing is not None:
            _refresh(existing, obj=obj, kind=kind, found=found, referee=(referee_id, referee_email))
            _judge(installation=installation, referral=existing, obj=obj)
            if kind == "order":
                _link_order(existing, order_id=obj["id"])
            return existing
        if found is None or (kind == "customer" and not referee_email):
            return None
        referral = Referral(
            installation=installation,
            code=found.code,
            referrer_id=found.code.owner_customer_id,
            referrer_email=found.code.owner_email,
            referee_id=referee_id,
            referee_email=referee_email,
            source=found.source,
            checkout_id=obj["id"] if kind == "checkout" else "",
            order_id=obj["id"] if kind == "order" else "",
            created=now,
        )
        if kind == "order" and obj.get("checkoutId"):
            referral.checkout_id = obj["checkoutId"]
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError:  # a concurrent delivery recorded it first
            return _existing(installation=installation, obj=obj, kind=kind)
        _judge(installation=installation, referral=referral, obj=obj)
        if kind == "order":
            _link_order(referral, order_id=obj["id"])
        return referral


def _link_order(referral: Referral, *, order_id: str) -> None:
    """The order may have been stored in the history before it was attributed: join them."""
    CustomerOrder.objects.filter(
        installation_id=referral.installation_id, order_id=order_id, referral__isnull=True
    ).update(referral=referral)
    paid = CustomerOrder.objects.filter(
        referral=referral, paid_at__isnull=False, status__in=["paid", "fulfilled"]
    ).exists()
    if paid and referral.status == Referral.Status.ATTRIBUTED:
        referral_mark(referral=referral, status=Referral.Status.CONVERTED)


def _refresh(
    referral: Referral, *, obj: dict, kind: str, found: Any, referee: tuple[str, str]
) -> None:
    """Fill in what became known (e-mail, account, order id) and follow a newly typed code."""
    changed: list[str] = []
    referee_id, referee_email = referee
    if referee_id and referral.referee_id != referee_id:
        referral.referee_id, changed = referee_id, [*changed, "referee_id"]
    if referee_email and referral.referee_email != referee_email:
        referral.referee_email, changed = referee_email, [*changed, "referee_email"]
    if kind == "order" and not referral.order_id:
        referral.order_id, changed = obj["id"], [*changed, "order_id"]
    if (
        found is not None
        and found.code.pk != referral.code_id
        and referral.status == Referral.Status.ATTRIBUTED
        and found.source in {Referral.Source.VOUCHER, Referral.Source.METADATA}
    ):
        referral.code, referral.source = found.code, found.source
        referral.referrer_id, referral.referrer_email = (
            found.code.owner_customer_id,
            found.code.owner_email,
        )
        changed += ["code", "source", "referrer_id", "referrer_email"]
    if changed:
        referral.save(update_fields=[*changed, "updated"])


def referral_mark(*, referral: Referral, status: str, reason: str = "") -> Referral:
    """Set a referral's status: refused and review keep their reason (shown to the merchant)."""
    referral.status = Referral.Status(status)
    fields = ["status", "updated"]
    if referral.status == Referral.Status.REFUSED:
        referral.refusal_reason, fields = reason[:255], [*fields, "refusal_reason"]
    elif referral.status == Referral.Status.REVIEW:
        referral.review_reason, fields = reason[:255], [*fields, "review_reason"]
    referral.save(update_fields=fields)
    logger.info("referral %s marked %s (%s)", referral.pk, referral.status, reason)
    return referral


def referral_review_decide(
    *, referral: Referral, approve: bool, actor: str, reason: str = ""
) -> Referral:
    """A person's decision on a referral in review: approve makes it live, reject refuses it."""
    if referral.status != Referral.Status.REVIEW:
        raise ValueError("referral is not waiting for review")
    if not approve and not reason.strip():
        raise ValueError("a rejection needs a reason")
    referral.reviewed_by, referral.reviewed_at = actor[:254], timezone.now()
    referral.save(update_fields=["reviewed_by", "reviewed_at", "updated"])
    converted = CustomerOrder.objects.filter(referral=referral, paid_at__isnull=False).exists()
    if approve:
        status = Referral.Status.CONVERTED if converted else Referral.Status.ATTRIBUTED
        return referral_mark(referral=referral, status=status, reason=reason)
    return referral_mark(referral=referral, status=Referral.Status.REFUSED, reason=reason)


_STATUS_RANK = {"created": 0, "paid": 1, "fulfilled": 2, "refunded": 3, "cancelled": 3}


def customer_order_record(
    *, installation: Any, order_payload: dict, status: str, at: datetime | None = None
) -> CustomerOrder:
    """Store or update one order in the customer history; never moves a status backwards."""
    order = subject_of(order_payload)
    status = CustomerOrder.Status(status)
    at = at or timezone.now()
    customer_id, email = customer_of(order)
    email = email_normalise(email)
    total = order.get("total") or {}
    values = {
        "number": str(order.get("number") or ""),
        "customer_id": customer_id,
        "email": email,
        "channel": (order.get("channel") or {}).get("slug", ""),
        "total": amount_of(total),
        "currency": currency_of(order),
        "shipping_fingerprint": address_fingerprint(order.get("shippingAddress")),
        "created": parse_datetime(order.get("created") or "") or at,
        "referral": referral_for_order(installation=installation, order_payload=order),
    }
    lines, subtotal, shipping = order_lines_of(order)
    if lines:  # a later payload without lines never erases the ones stored
        values.update(lines=lines, subtotal=subtotal, shipping=shipping)
    with transaction.atomic():
        record, created = CustomerOrder.objects.select_for_update().get_or_create(
            installation=installation, order_id=order["id"], defaults={**values, "status": status}
        )
        if not created:
            for name, value in values.items():
                if value not in ("", None) or (name == "referral" and record.referral_id is None):
                    setattr(record, name, value)
            if _STATUS_RANK[status] >= _STATUS_RANK[record.status]:
                record.status = status
        is_paid = bool(order.get("isPaid")) or status in {"paid", "fulfilled"}
        if record.paid_at is None and is_paid:
            record.paid_at = at
        record.save()
    referral = record.referral
    if (
        referral is not None
        and record.paid_at is not None
        and record.status not in {"cancelled", "refunded"}
        and referral.status == Referral.Status.ATTRIBUTED
    ):
        referral_mark(referral=referral, status=Referral.Status.CONVERTED)
    return record
