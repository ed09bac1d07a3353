"""Attribution on customer events: import a customer's own code, record the sign-up code."""

from __future__ import annotations

import logging
from typing import Any

from plugin.referrals.codes import code_is_well_formed, code_normalise
from plugin.referrals.identity import email_normalise
from plugin.referrals.models import Referral
from plugin.referrals.services import (
    ReferralCodeError,
    referral_attribute,
    referral_code_create,
)
from plugin.saleor.mappers.subjects import customer_of, metadata_of, subject_of
from plugin.use_cases.ab_variants import referral_variant_record

logger = logging.getLogger(__name__)
OWN_CODE_KEY = "referral_code"  # on a user: the customer's own code (set by staff or the app)


def customer_referral_sync(*, installation: Any, payload: dict) -> Referral | None:
    """On CUSTOMER_CREATED / ACCOUNT_CONFIRMED / CUSTOMER_METADATA_UPDATED.

    A user's `referral_code` metadata is their own code: it is imported (if free). Their
    `signup_referral_code` is who referred them: it is recorded so that later checkouts, from any
    device and before or after confirming the account, are attributed to that referrer.
    """
    user = subject_of(payload)
    if not user.get("id"):
        return None
    customer_id, email = customer_of(user)
    email = email_normalise(email)
    own = code_normalise(metadata_of(user).get(OWN_CODE_KEY, ""))
    if own and email and code_is_well_formed(own):
        try:
            referral_code_create(
                installation=installation,
                customer_id=customer_id,
                email=email,
                name=user.get("firstName"),
                code=own,
                address=user.get("defaultBillingAddress"),
            )
        except ReferralCodeError as error:
            logger.warning("customer %s: own code not imported: %s", customer_id, error)
    referral = referral_attribute(installation=installation, payload=user, kind="customer")
    referral_variant_record(installation=installation, referral=referral)
    return referral
