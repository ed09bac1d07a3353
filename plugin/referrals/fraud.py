"""Fraud checks on a referral: self-referral (user, e-mail, address) is refused; velocity,
leaked codes and shared addresses go to review. IP addresses are never used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db.models import Q
from django.utils import timezone

from plugin.referrals.identity import address_fingerprint, email_normalise
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.selectors import LIVE_STATUSES, referral_settings_get
from plugin.saleor.mappers.subjects import customer_of, subject_of

Verdict = Literal["ok", "refuse", "review"]

SELF_SAME_USER = "self_referral_same_user"
SELF_SAME_EMAIL = "self_referral_same_email"
SELF_SAME_ADDRESS = "self_referral_same_address"
VELOCITY = "velocity_limit"
LEAKED_CODE = "leaked_code"
SHARED_ADDRESS = "shared_address"


@dataclass(frozen=True, slots=True)
class FraudVerdict:
    """What to do with a referral: `ok`, `refuse` (never rewarded), `review` (a person decides)."""

    verdict: Verdict
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


OK = FraudVerdict("ok")


def _referrer_fingerprints(*, installation: Any, code: ReferralCode) -> set[str]:
    owner = Q(email=code.owner_email)
    if code.owner_customer_id:
        owner |= Q(customer_id=code.owner_customer_id)
    prints = set(
        CustomerOrder.objects.filter(installation=installation)
        .filter(owner)
        .exclude(shipping_fingerprint="")
        .values_list("shipping_fingerprint", flat=True)
    )
    if code.owner_address_fingerprint:
        prints.add(code.owner_address_fingerprint)
    return prints


def self_referral_reason(
    *,
    installation: Any,
    code: ReferralCode,
    referee_id: str,
    referee_email: str,
    shipping_fingerprint: str = "",
) -> str:
    """Why this is the referrer referring themself, or "" when it is not."""
    if referee_id and code.owner_customer_id and referee_id == code.owner_customer_id:
        return SELF_SAME_USER
    if referee_email and email_normalise(referee_email) == code.owner_email:
        return SELF_SAME_EMAIL
    if shipping_fingerprint and shipping_fingerprint in _referrer_fingerprints(
        installation=installation, code=code
    ):
        return SELF_SAME_ADDRESS
    return ""


def _doubt_reason(
    *, installation: Any, referral: Referral, shipping_fingerprint: str, now: datetime
) -> str:
    settings = referral_settings_get(installation=installation)
    day_ago = now - timedelta(days=1)
    others = (
        Referral.objects.filter(installation=installation, status__in=LIVE_STATUSES)
        .exclude(referee_email=referral.referee_email)
        .exclude(pk=referral.pk)
    )
    recent_by_referrer = (
        others.filter(referrer_email=referral.referrer_email, created__gte=day_ago)
        .values("referee_email")
        .distinct()
        .count()
    )
    if recent_by_referrer >= settings.velocity_per_day:
        return VELOCITY
    recent_on_code = (
        others.filter(code=referral.code, created__gte=day_ago).values("referee_email").distinct()
    )
    if recent_on_code.count() >= settings.leaked_referees_per_day:
        return LEAKED_CODE
    if shipping_fingerprint:
        fellow_referees = others.filter(referrer_email=referral.referrer_email).values(
            "referee_email"
        )
        sharing = (
            CustomerOrder.objects.filter(
                installation=installation,
                shipping_fingerprint=shipping_fingerprint,
                email__in=fellow_referees,
            )
            .exclude(email=referral.referee_email)
            .values("email")
            .distinct()
            .count()
        )
        if sharing >= settings.shared_address_referees:  # one flatmate is normal; a farm is not
            return SHARED_ADDRESS
    return ""


def fraud_check(
    *,
    installation: Any,
    referral: Referral,
    order_payload: dict | None,
    now: datetime | None = None,
) -> FraudVerdict:
    """Judge a referral with the order (or checkout) it is about.

    Refusals are final; a referral a person already approved is not sent back to review.
    """
    now = now or timezone.now()
    subject = subject_of(order_payload)
    referee_id, referee_email = customer_of(subject) if subject else ("", "")
    referee_email = email_normalise(referee_email)
    fingerprint = address_fingerprint(subject.get("shippingAddress"))
    if referral.status == Referral.Status.REFUSED:
        return FraudVerdict("refuse", referral.refusal_reason or "refused")
    reason = self_referral_reason(
        installation=installation,
        code=referral.code,
        referee_id=referee_id or referral.referee_id,
        referee_email=referee_email or referral.referee_email,
        shipping_fingerprint=fingerprint,
    )
    if reason:
        return FraudVerdict("refuse", reason)
    if referral.reviewed_at is not None:
        return OK  # a person decided; approvals stand
    if referral.status == Referral.Status.REVIEW:
        return FraudVerdict("review", referral.review_reason or "review")
    doubt = _doubt_reason(
        installation=installation, referral=referral, shipping_fingerprint=fingerprint, now=now
    )
    return FraudVerdict("review", doubt) if doubt else OK
