"""Which referral code a checkout, order or sign-up belongs to, by the sources in their order:
the voucher code on it, metadata `referral_code`, the sign-up code, an earlier attribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plugin.referrals.identity import email_normalise
from plugin.referrals.models import Referral, ReferralCode
from plugin.referrals.selectors import (
    referral_by_discount_code,
    referral_code_get,
    referral_earlier,
    referral_settings_get,
    referral_signup_of,
)
from plugin.saleor.mappers.subjects import customer_of, metadata_of

CHECKOUT_METADATA_KEY = "referral_code"
SIGNUP_METADATA_KEY = "signup_referral_code"


@dataclass(frozen=True, slots=True)
class Attribution:
    code: ReferralCode
    source: str


def _from_voucher(*, installation: Any, obj: dict) -> Attribution | None:
    typed = obj.get("voucherCode") or ""
    if not typed:
        return None
    code = referral_code_get(installation=installation, code=typed)
    if code is not None and code.code == typed.strip():
        return Attribution(code, Referral.Source.VOUCHER)
    own = referral_by_discount_code(installation=installation, code=typed)
    if own is not None:  # the app's own single-use code for this referee
        return Attribution(own.code, Referral.Source.VOUCHER)
    return None


def attribution_resolve(
    *, installation: Any, obj: dict, kind: str, now: datetime
) -> Attribution | None:
    """The first source that names an active code. `kind`: checkout | order | customer."""
    metadata = metadata_of(obj)
    if kind == "customer":
        code = referral_code_get(
            installation=installation, code=metadata.get(SIGNUP_METADATA_KEY, "")
        )
        return Attribution(code, Referral.Source.SIGNUP) if code else None
    found = _from_voucher(installation=installation, obj=obj)
    if found:
        return found
    code = referral_code_get(
        installation=installation, code=metadata.get(CHECKOUT_METADATA_KEY, "")
    )
    if code:
        return Attribution(code, Referral.Source.METADATA)
    customer_id, email = customer_of(obj)
    email = email_normalise(email)
    if not (customer_id or email):
        return None
    signup = referral_signup_of(installation=installation, customer_id=customer_id, email=email)
    if signup and signup.code.active and signup.status != Referral.Status.REFUSED:
        return Attribution(signup.code, Referral.Source.SIGNUP)
    window = timedelta(days=referral_settings_get(installation=installation).attribution_days)
    earlier = referral_earlier(
        installation=installation, customer_id=customer_id, email=email, since=now - window
    )
    if earlier and earlier.code.active:
        return Attribution(earlier.code, Referral.Source.EARLIER)
    return None
