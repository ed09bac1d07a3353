"""Checkout and customer events → the referral use cases (the referee's discount, attribution)."""

from __future__ import annotations

from typing import Any

from plugin.install.selectors import installation_client
from plugin.programs.selectors import program_published
from plugin.saleor.mappers.subjects import subject_of
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.checkout_discount import (
    Outcome,
    checkout_discount_reconcile,
    checkout_reread,
)
from plugin.use_cases.signup_rewards import signup_rewards_process


def handle_checkout_delivery(delivery: Any) -> Outcome:
    """The installation's client and published program, then reconcile the checkout's discount.

    A retried delivery's payload is older than what the failed attempt did in Saleor, so the
    checkout is read again first and the reconcile works from that.
    """
    published = program_published(installation=delivery.installation)
    client = installation_client(installation=delivery.installation)
    payload = delivery.payload
    if getattr(delivery, "attempts", 1) > 1 or getattr(delivery, "last_error", ""):
        payload = checkout_reread(client=client, payload=payload)
        if payload is None:
            return Outcome.NOTHING
    return checkout_discount_reconcile(
        installation=delivery.installation,
        payload=payload,
        client=client,
        program=published[1] if published else None,
    )


def handle_customer_delivery(delivery: Any) -> None:
    referral = customer_referral_sync(installation=delivery.installation, payload=delivery.payload)
    # sign-up rewards see the referral just recorded (`on customer created when referred`)
    signup_rewards_process(
        installation=delivery.installation, event=delivery.event,
        user=subject_of(delivery.payload), referral=referral,
        delivery_id=str(getattr(delivery, "pk", "") or ""),
        issued_at=str((delivery.payload or {}).get("issuedAt") or ""),
    )
