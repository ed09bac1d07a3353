"""A/B tests on referrals: a referral records the live program's test and its referrer's
variant when it is made, so every referral of a test counts for the variant its referrer
shared (conversion, revenue and cost per variant read it)."""

from __future__ import annotations

from typing import Any

from plugin.programs.selectors import program_published
from plugin.referrals.models import Referral


def referral_variant_record(*, installation: Any, referral: Referral | None) -> None:
    """Idempotent: a referral keeps the test and variant it was first recorded with."""
    if referral is None or referral.ab_test:
        return
    live = program_published(installation=installation)
    test = getattr(live[1], "ab_test", None) if live else None
    if test is None:
        return
    variant = test.variant_of(customer_id=referral.code.owner_customer_id or None,
                              email=referral.code.owner_email)
    Referral.objects.filter(pk=referral.pk, ab_test="").update(ab_test=test.name[:255],
                                                              ab_variant=variant[:255])
    referral.ab_test, referral.ab_variant = test.name[:255], variant[:255]
