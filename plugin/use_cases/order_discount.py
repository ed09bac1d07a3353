"""Did the referee's discount reach their order? If not, how much is owed as store credit."""

from __future__ import annotations

from decimal import Decimal


def _voucher_discount(order: dict) -> Decimal:
    return sum(
        (
            Decimal(str((d.get("amount") or {}).get("amount") or 0))
            for d in order.get("discounts") or []
            if d.get("type") == "VOUCHER"
        ),
        Decimal(0),
    )


def discount_gap(*, installation, order: dict, referral, promised: Decimal) -> Decimal:
    """What the referee was promised at checkout but did not get on the order.

    Read from the order alone, so the answer is the same whichever webhook arrived first:
    an order with a voucher of the shopper's own owes nothing (no stacking); otherwise the gap
    is the promise less the discount the app's code (or the referrer's code) gave.
    """
    from plugin.referrals.models import CheckoutDiscount

    ours = {referral.code.code} if getattr(referral, "code", None) is not None else set()
    if order.get("checkoutId"):
        ours.update(
            CheckoutDiscount.objects.filter(
                installation=installation, checkout_id=order["checkoutId"]
            ).values_list("code", flat=True)
        )
    used = order.get("voucherCode")
    if used and used not in ours:
        return Decimal(0)
    applied = _voucher_discount(order) if used else Decimal(0)
    return max(Decimal(0), promised - applied)
