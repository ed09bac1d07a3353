"""Did the referee's discount reach their order? If not, how much is owed as store credit."""

from __future__ import annotations

from decimal import Decimal


def _voucher_discount(order: dict) -> Decimal:
    return sum(
        (Decimal(str((d.get("amount") or {}).get("amount") or 0))
         for d in order.get("discounts") or [] if d.get("type") == "VOUCHER"),
        Decimal(0),
    )


def discount_gap(*, installation, order: dict, referral, promised: Decimal) -> Decimal:
    """What the referee was promised at checkout but did not get on the order.

    Nothing is owed when the app's code reached the checkout (whatever the shopper did next is
    their choice) or when the order carries a voucher of the shopper's own (no stacking).
    Otherwise the order was placed before the code landed: the gap is promised - applied.
    """
    from plugin.referrals.models import CheckoutDiscount

    ours = {referral.code.code} if getattr(referral, "code", None) is not None else set()
    landed = False
    if order.get("checkoutId"):
        for code, state in CheckoutDiscount.objects.filter(
            installation=installation, checkout_id=order["checkoutId"]
        ).values_list("code", "state"):
            ours.add(code)
            landed = landed or state != CheckoutDiscount.State.CREATING
    used = order.get("voucherCode")
    if used and used not in ours:
        return Decimal(0)
    applied = _voucher_discount(order) if used else Decimal(0)
    if landed and not used:
        return Decimal(0)
    return max(Decimal(0), promised - applied)
