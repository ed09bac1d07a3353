"""Did the referee's discount reach their order? If not, how much is owed as store credit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from plugin.referrals.models import CheckoutDiscount
from plugin.rewards.models import RewardState
from plugin.saleor.money import amount_of
from plugin.use_cases.order_reward_record import reward_recipient, reward_record
from rules.facts import Facts, Trigger
from rules.facts.money import Money


def _voucher_discount(order: dict) -> Decimal:
    return sum(
        (
            amount_of(d.get("amount"))
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


def late_discount_make_good(
    *,
    installation,
    order: dict,
    referral,
    version,
    program,
    checkout_facts: Facts,
    discount_gap_of: Callable[..., Decimal],
    at: datetime,
    cause: dict,
) -> None:
    """The referee's order was placed before their discount landed: store credit for the gap.

    `checkout_facts` are the order's facts as the checkout rules see them (trigger checkout).
    """
    if getattr(referral, "status", "") == "refused":
        return
    if Trigger.CHECKOUT not in getattr(program, "triggers", set()):
        return
    decision = program.evaluate(checkout_facts)
    intended = [
        r
        for r in decision.rewards
        if r.kind == "discount" and r.recipient == "referee" and r.amount
    ]
    if not intended:
        return
    promised = intended[0].amount
    gap = discount_gap_of(
        installation=installation, order=order, referral=referral, promised=promised.amount
    )
    if gap <= 0:
        return
    credit = replace(
        intended[0],
        kind="money",
        amount=Money(gap, promised.currency),
        delivery="store_credit",
        hold_days=0,
        hold_after="payment",
        percent=None,
        max_amount=None,
        reason=f"discount of {promised} did not reach the order in time",
    )
    to = reward_recipient(credit, order=order, referral=referral)
    if to is None or not to[0]:
        return
    reward_record(
        installation=installation,
        key=f"order:{order['id']}:late-discount",
        reward=credit,
        recipient=to,
        state=RewardState.PENDING,
        reason=credit.reason,
        order=order,
        trigger=Trigger.ORDER_PAID,
        referral=referral,
        version=version,
        program=program,
        at=at,
        cause=cause,
    )
