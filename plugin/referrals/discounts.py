"""The referee's discount a program decides for a checkout, as a concrete Saleor voucher value.

Facts are read from the undiscounted prices, so the app's own voucher never changes the decision
(the CHECKOUT_UPDATED echo of its own mutation then finds nothing to do).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from plugin.referrals.models import CheckoutDiscount
from plugin.saleor.mappers import checkout_facts
from plugin.saleor.money import amount_of
from rules.facts import Facts, OrderFacts
from rules.facts.money import Money


@dataclass(frozen=True, slots=True)
class DiscountSpec:
    """A concrete voucher value: a percentage, or a fixed amount in the checkout's currency."""

    value_type: str  # PERCENTAGE | FIXED
    value: Decimal
    currency: str
    voucher_type: str = "ENTIRE_ORDER"  # or SHIPPING

    def matches(self, row: CheckoutDiscount) -> bool:
        return (
            row.voucher_type == self.voucher_type
            and row.value_type == self.value_type
            and Decimal(row.value) == self.value
            and row.currency == self.currency
        )


def undiscounted_subtotal(checkout: dict) -> Decimal:
    return sum(
        (amount_of(line.get("undiscountedTotalPrice")) for line in checkout.get("lines") or []),
        Decimal(0),
    )


def checkout_order_facts(*, checkout: dict, own: CheckoutDiscount | None) -> OrderFacts:
    """The checkout as an order, with the app's own discount added back (echo-stable).

    Saleor spreads an entire-order voucher into the line prices and the subtotal, and a shipping
    voucher into the shipping price; undoing that keeps the program's decision from seeing it.
    """
    facts: OrderFacts = checkout_facts(checkout)
    if own is None or checkout.get("voucherCode") != own.code:
        return facts
    discount = Money.of(amount_of(checkout.get("discount")), facts.currency)
    if own.voucher_type == "SHIPPING":
        return dataclasses.replace(
            facts,
            shipping=facts.shipping + discount,
            total=facts.total + discount,
            voucher_code=None,
        )
    lines = tuple(
        dataclasses.replace(
            line,
            unit_price=Money.of(amount_of(raw.get("undiscountedUnitPrice")), facts.currency),
            total_price=Money.of(amount_of(raw.get("undiscountedTotalPrice")), facts.currency),
        )
        for line, raw in zip(facts.lines, checkout.get("lines") or [], strict=False)
    )
    return dataclasses.replace(
        facts,
        lines=lines,
        subtotal=facts.subtotal + discount,
        total=facts.total + discount,
        voucher_code=None,
    )


def _spec_of(reward: Any, *, currency: str, base: Decimal) -> DiscountSpec | None:
    percent, amount = getattr(reward, "percent", None), getattr(reward, "amount", None)
    cap = getattr(reward, "max_amount", None)
    if getattr(reward, "voucher_type", None) == "free_shipping":
        return DiscountSpec("PERCENTAGE", Decimal(100), currency, "SHIPPING")
    if percent is not None:
        percent = Decimal(str(getattr(percent, "value", percent)))
        if cap is not None and Money.of(base, currency).percent(percent) > cap:
            return DiscountSpec("FIXED", cap.amount, currency)
        return DiscountSpec("PERCENTAGE", percent, currency)
    if amount is not None:
        value = min(amount, cap) if cap is not None else amount
        return DiscountSpec("FIXED", value.amount, currency)
    return None


def desired_discount(*, program: Any, facts: Facts, base: Decimal) -> DiscountSpec | None:
    """The referee's discount the program decides; a capped percentage becomes a fixed amount.

    Saleor vouchers have no maximum, so `10% max 30 USD` on a 400 USD basket is 30 USD fixed.
    A checkout holds one voucher code, so when several rules give the referee a discount the
    one worth most now wins (the first of equals).
    """
    decision = program.evaluate(facts)
    offers = [
        reward
        for reward in getattr(decision, "rewards", ())
        if str(getattr(reward, "recipient", "")) == "referee" and str(reward.kind) == "discount"
    ]
    if not offers:
        return None
    worth = [getattr(r, "amount", None) for r in offers]
    if all(w is not None for w in worth):
        best = offers[max(range(len(offers)), key=lambda n: (worth[n].amount, -n))]
    else:
        best = offers[0]
    return _spec_of(best, currency=facts.currency, base=base)
