"""The referee's discount at checkout: on CHECKOUT_CREATED / CHECKOUT_UPDATED, work out the
discount the published program gives and reconcile Saleor to it with a single-use voucher code.

The reconcile compares desired with actual state, so the CHECKOUT_UPDATED that the app's own
`checkoutAddPromoCode` fires finds nothing to do and sends nothing. Facts are built from the
undiscounted prices so the app's own discount never changes the program's decision.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from plugin.referrals.codes import secret_code
from plugin.referrals.discounts import (
    DiscountSpec,
    checkout_order_facts,
    desired_discount,
    undiscounted_subtotal,
)
from plugin.referrals.identity import email_normalise
from plugin.referrals.locks import checkout_lock
from plugin.referrals.models import CheckoutDiscount, Referral
from plugin.referrals.selectors import (
    checkout_discount_get,
    customer_facts,
    referral_code_get,
    referral_facts,
    referral_settings_get,
)
from plugin.referrals.services import referral_attribute
from plugin.saleor.answers import code_already_exists, promo_code_not_on_checkout
from plugin.saleor.errors import SaleorError, SaleorGraphQLError, SaleorMutationError
from plugin.saleor.mappers.subjects import currency_of, customer_of, subject_of
from plugin.saleor.vouchers import voucher_by_code
from plugin.segments.selectors import facts_with_segments
from rules.facts import Facts, Trigger

logger = logging.getLogger(__name__)
VOUCHER_NAME = "Referral welcome (single use)"


class Outcome(StrEnum):
    NOTHING = "nothing"  # not referred, or no discount wanted and none there
    UNCHANGED = "unchanged"  # the desired code is already on the checkout (the echo)
    APPLIED = "applied"
    REMOVED = "removed"
    KEPT_FOREIGN = "kept_foreign"  # the shopper's own voucher stays: no stacking
    REFUSED = "refused"  # Saleor said no (checkout gone, code not applicable): never retried


def _new_code() -> str:
    """The referee's single-use code: all random (>= 64 bits), as anything a shopper redeems."""
    return secret_code(prefix="RF")


def _voucher_create(*, client: Any, row: CheckoutDiscount) -> None:
    """Creates the row's voucher, or adopts the one an interrupted attempt made with its code.

    The code is the row's random secret, stored before Saleor hears of it: Saleor holding it
    means an earlier attempt created it (its answer lost, or its id not recorded), so that
    voucher is found and kept, never a second one made beside it. The id is stored at once.
    """
    for _ in range(2):
        try:
            result = client.execute_mutation(
                "voucher_create",
                {
                    "input": {
                        "name": VOUCHER_NAME,
                        "type": row.voucher_type,
                        "discountValueType": row.value_type,
                        "singleUse": True,
                        "addCodes": [row.code],
                    }
                },
                "voucherCreate",
            )
            voucher_id = result["voucher"]["id"]
            break
        except SaleorMutationError as error:
            if not code_already_exists(error):
                raise
            made = voucher_by_code(client=client, code=row.code)
            if made is not None:
                logger.info("referee code %s: an earlier attempt's voucher is kept", row.code)
                voucher_id = made["id"]
                break
            # Saleor has the code on no voucher (a gift card's, say): another random one
            row.code = _new_code()
            row.save(update_fields=["code", "updated"])
    else:
        raise RuntimeError("could not create a fresh referee voucher code")
    row.saleor_voucher_id = voucher_id
    row.save(update_fields=["saleor_voucher_id", "updated"])


def _voucher_list(*, client: Any, row: CheckoutDiscount, channel_id: str) -> None:
    """Gives the voucher its value in the checkout's channel; setting it twice is harmless."""
    client.execute_mutation(
        "voucher_channel_listing_update",
        {
            "id": row.saleor_voucher_id,
            "input": {"addChannels": [{"channelId": channel_id, "discountValue": str(row.value)}]},
        },
        "voucherChannelListingUpdate",
    )


def _voucher_drop(*, client: Any, voucher_id: str) -> None:
    """Best effort: an unused replaced voucher is deleted so it cannot be used elsewhere."""
    try:
        client.execute_mutation("voucher_delete", {"id": voucher_id}, "voucherDelete")
    except SaleorError as error:
        logger.warning("old referee voucher %s not deleted: %s", voucher_id, error)


def _remove(*, client: Any, checkout: dict, row: CheckoutDiscount | None) -> Outcome:
    if row is None or row.state == CheckoutDiscount.State.REMOVED:
        return Outcome.NOTHING
    outcome = Outcome.NOTHING
    if checkout.get("voucherCode") == row.code:
        _promo_code_remove(client=client, checkout_id=checkout["id"], code=row.code)
        outcome = Outcome.REMOVED
    row.state = CheckoutDiscount.State.REMOVED
    row.save(update_fields=["state", "updated"])
    if row.saleor_voucher_id:
        _voucher_drop(client=client, voucher_id=row.saleor_voucher_id)
    return outcome


def _promo_code_remove(*, client: Any, checkout_id: str, code: str) -> None:
    """Takes the code off the checkout; Saleor saying it is not on it is the same success."""
    try:
        client.execute_mutation(
            "checkout_remove_promo_code",
            {"id": checkout_id, "promoCode": code},
            "checkoutRemovePromoCode",
        )
    except SaleorMutationError as error:
        if not promo_code_not_on_checkout(error):
            raise
        logger.info("checkout %s: code %s was already off it (%s)", checkout_id, code, error)


def _typed_code_drop(*, installation: Any, client: Any, checkout: dict) -> None:
    """A typed referral code worth something in Saleor comes off when the program gives nothing."""

    if referral_settings_get(installation=installation).code_voucher_percent > 0:
        _promo_code_remove(client=client, checkout_id=checkout["id"], code=checkout["voucherCode"])


def checkout_discount_reconcile(
    *,
    installation: Any,
    payload: dict,
    client: Any,
    program: Any | None,
    now: datetime | None = None,
) -> Outcome:
    """Make the checkout carry exactly the discount the program gives its referee (or none).

    No stacking: Saleor 3.24 holds one voucher code per checkout, so a code of the shopper's own
    stays and the referral discount steps aside (putting ours on would silently replace theirs).
    """
    now = now or timezone.now()
    checkout = subject_of(payload)
    if not checkout.get("id"):
        return Outcome.NOTHING
    with checkout_lock(installation_id=installation.pk, checkout_id=checkout["id"]):
        return _reconcile(
            installation=installation, checkout=checkout, client=client, program=program, now=now
        )


def _reconcile(
    *, installation: Any, checkout: dict, client: Any, program: Any | None, now: datetime
) -> Outcome:
    referral = referral_attribute(
        installation=installation, payload=checkout, kind="checkout", now=now
    )
    if referral is not None and referral.order_id:
        return Outcome.NOTHING  # a late delivery: the checkout is an order already, leave it be
    row = checkout_discount_get(installation=installation, checkout_id=checkout["id"])
    own = row if row and row.state != CheckoutDiscount.State.REMOVED else None
    own_code = own.code if own else None
    current = checkout.get("voucherCode") or ""
    if current and current != own_code:
        typed_referral_code = referral_code_get(installation=installation, code=current)
        if typed_referral_code is None or typed_referral_code.code != current:
            _remove(client=client, checkout=checkout, row=row)  # already replaced by theirs
            return Outcome.KEPT_FOREIGN
    spec = None
    if referral is not None and referral.status == Referral.Status.ATTRIBUTED and program:
        facts = _facts(
            installation=installation,
            checkout=checkout,
            own=own,
            referral=referral,
            now=now,
        )
        spec = desired_discount(program=program, facts=facts, base=undiscounted_subtotal(checkout))
    if spec is None:
        if program and current and current != own_code:
            _typed_code_drop(installation=installation, client=client, checkout=checkout)
        return _remove(client=client, checkout=checkout, row=row)
    if (
        row is not None
        and spec.matches(row)
        and row.state != CheckoutDiscount.State.REMOVED
        and current == row.code
    ):
        if row.state != CheckoutDiscount.State.APPLIED:
            row.state = CheckoutDiscount.State.APPLIED
            row.save(update_fields=["state", "updated"])
        return Outcome.UNCHANGED
    replaced = ""
    if row is None or not spec.matches(row) or row.state == CheckoutDiscount.State.REMOVED:
        replaced = row.saleor_voucher_id if row is not None else ""
        row = _row_for(installation=installation, checkout=checkout, referral=referral, spec=spec)
    if not row.saleor_voucher_id:
        _voucher_create(client=client, row=row)
    if row.state == CheckoutDiscount.State.CREATING:  # also after an attempt stopped half-way
        _voucher_list(client=client, row=row, channel_id=(checkout.get("channel") or {})["id"])
    try:
        client.execute_mutation(
            "checkout_add_promo_code",
            {"id": checkout["id"], "promoCode": row.code},
            "checkoutAddPromoCode",
        )
    except (SaleorMutationError, SaleorGraphQLError) as error:
        # An answer, not passing trouble: retrying the delivery cannot change it. The row keeps
        # its voucher, so the next CHECKOUT_UPDATED tries this same code again.
        logger.warning("checkout %s refused referee code %s: %s", checkout["id"], row.code, error)
        return Outcome.REFUSED
    row.state = CheckoutDiscount.State.APPLIED
    row.save(update_fields=["state", "updated"])
    if replaced:  # only now: the new code has taken the old one's place on the checkout
        _voucher_drop(client=client, voucher_id=replaced)
    return Outcome.APPLIED


def _row_for(
    *, installation: Any, checkout: dict, referral: Referral, spec: DiscountSpec
) -> CheckoutDiscount:
    """Choose a fresh code for a new value and store it before Saleor hears of it."""
    for _ in range(3):
        try:
            with transaction.atomic():
                row, _ = CheckoutDiscount.objects.update_or_create(
                    installation=installation,
                    checkout_id=checkout["id"],
                    defaults={
                        "referral": referral,
                        "code": _new_code(),
                        "voucher_type": spec.voucher_type,
                        "value_type": spec.value_type,
                        "value": spec.value,
                        "currency": spec.currency,
                        "channel": (checkout.get("channel") or {}).get("slug", ""),
                        "saleor_voucher_id": "",
                        "state": CheckoutDiscount.State.CREATING,
                    },
                )
            return row
        except IntegrityError:
            continue  # the drawn code is another checkout's: draw again
    raise RuntimeError("no unused referee voucher code after 3 draws")


def _facts(
    *,
    installation: Any,
    checkout: dict,
    own: CheckoutDiscount | None,
    referral: Referral,
    now: datetime,
) -> Facts:
    order = checkout_order_facts(checkout=checkout, own=own)
    customer_id, email = customer_of(checkout)
    email = email_normalise(email)
    return facts_with_segments(installation=installation, facts=Facts(
        trigger=Trigger.CHECKOUT,
        now=now,
        channel=order.channel,
        currency=order.currency or currency_of(checkout),
        order=order,
        customer=customer_facts(
            installation=installation,
            customer_id=customer_id,
            email=email or referral.referee_email,
            before=now,
            currency=order.currency,
            channel=order.channel,
        ),
        referral=referral_facts(installation=installation, referral=referral, now=now),
    ))


def checkout_reread(*, client: Any, payload: dict) -> dict | None:
    """The delivery's payload with the checkout as Saleor has it now; None once it is gone
    (completed into an order, or deleted)."""
    checkout_id = subject_of(payload).get("id")
    if not checkout_id:
        return payload
    fresh = (client.execute("checkout_get", {"id": checkout_id}) or {}).get("checkout")
    return {**payload, "checkout": fresh} if fresh else None
