"""The language's types and the names a program may read, each with its type and how to read it.

One table serves the checker (names, types, "did you mean"), the interpreter (getters) and
example blocks (which facts an example may set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rules.facts.model import NO_SEGMENT, SEGMENTS, Facts, LineFacts, Trigger
from rules.facts.money import Money


class Type(StrEnum):
    MONEY = "Money"
    PERCENT = "Percent"
    POINTS = "Points"
    INT = "Int"
    DECIMAL = "Decimal"
    BOOL = "Bool"
    STRING = "String"
    DATE = "Date"
    DURATION = "Duration"
    LINES = "Lines"
    LINE = "Line"
    STRINGS = "List of String"
    LIST = "List"
    ERROR = "?"  # an expression already reported; never reported twice

    def __str__(self) -> str:
        return self.value


NUMERIC = frozenset({Type.INT, Type.DECIMAL})


class Missing(Exception):
    """A fact the event does not have (no order on `customer created`, no last order yet)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _order(facts: Facts):
    if facts.order is None:
        raise Missing("order")
    return facts.order


def _customer(facts: Facts):
    if facts.customer is None:
        raise Missing("customer")
    return facts.customer


def _contest(facts: Facts):
    if facts.contest is None:
        raise Missing("contest")
    return facts.contest


def _present(value, what: str):
    if value is None:
        raise Missing(what)
    return value


def _money_or_zero(value: Money | None, facts: Facts) -> Money:
    return value if value is not None else Money.zero(facts.currency)


def _today(facts: Facts) -> date:
    return facts.now.date()


@dataclass(frozen=True, slots=True)
class Fact:
    type: Type
    read: Callable[[Facts], object]
    needs_order: bool = False
    doc: str = ""
    values: tuple[str, ...] = ()  # a String fact's only values (the checker refuses others)


def _customer_days_since_last(facts: Facts) -> int:
    last = _present(_customer(facts).last_order, "customer.last_order")
    return (_today(facts) - last).days


FACTS: dict[str, Fact] = {
    "order_total": Fact(Type.MONEY, lambda f: _order(f).total, True, "the order's total"),
    "order_subtotal": Fact(Type.MONEY, lambda f: _order(f).subtotal, True, "lines before shipping"),
    "order_shipping": Fact(Type.MONEY, lambda f: _order(f).shipping, True, "shipping price"),
    "order.number": Fact(Type.STRING, lambda f: _present(_order(f).number, "order.number"), True),
    "order.voucher_code": Fact(
        Type.STRING, lambda f: _present(_order(f).voucher_code, "order.voucher_code"), True
    ),
    "order.refunded": Fact(
        Type.MONEY, lambda f: _money_or_zero(_order(f).refunded, f), True, "refunded so far"
    ),
    "order.is_paid": Fact(Type.BOOL, lambda f: _order(f).is_paid, True),
    "lines": Fact(Type.LINES, lambda f: _order(f).lines, True, "the order's lines"),
    "currency": Fact(Type.STRING, lambda f: f.currency),
    "channel": Fact(Type.STRING, lambda f: f.channel, doc="channel slug"),
    "today": Fact(Type.DATE, _today, doc="the evaluation's date"),
    "now": Fact(Type.DATE, _today, doc="the evaluation's date"),
    "customer.email": Fact(Type.STRING, lambda f: _customer(f).email),
    "customer.is_new": Fact(Type.BOOL, lambda f: _customer(f).is_new),
    "customer.is_guest": Fact(Type.BOOL, lambda f: _customer(f).id is None),
    "customer.orders": Fact(Type.INT, lambda f: _customer(f).orders, doc="earlier paid orders"),
    "customer.orders_in_channel": Fact(
        Type.INT, lambda f: _customer(f).orders_in_channel,
        doc="earlier paid orders in this event's channel",
    ),
    "customer.total_spent": Fact(
        Type.MONEY, lambda f: _money_or_zero(_customer(f).total_spent, f)
    ),
    "customer.first_order": Fact(
        Type.DATE, lambda f: _present(_customer(f).first_order, "customer.first_order")
    ),
    "customer.last_order": Fact(
        Type.DATE, lambda f: _present(_customer(f).last_order, "customer.last_order")
    ),
    "customer.usual_interval": Fact(
        Type.DURATION, lambda f: _present(_customer(f).usual_interval, "customer.usual_interval")
    ),
    "customer.periods_missed": Fact(Type.INT, lambda f: _customer(f).periods_missed),
    "customer.days_since_last_order": Fact(Type.INT, _customer_days_since_last),
    "customer.segment": Fact(Type.STRING, lambda f: _customer(f).segment,
                             doc="the customer's segment", values=(*SEGMENTS, NO_SEGMENT)),
    "referred": Fact(Type.BOOL, lambda f: f.referral.is_referred, doc="the customer was referred"),
    "referral.code": Fact(Type.STRING, lambda f: _present(f.referral.code, "referral.code")),
    "referral.days_since": Fact(
        Type.INT, lambda f: _present(f.referral.days_since, "referral.days_since")
    ),
    "referrer.email": Fact(
        Type.STRING, lambda f: _present(f.referral.referrer.email, "referrer.email")
    ),
    "referrer.orders": Fact(Type.INT, lambda f: f.referral.referrer.orders),
    "referrer.total_spent": Fact(
        Type.MONEY, lambda f: _money_or_zero(f.referral.referrer.total_spent, f)
    ),
    "referrer.referrals": Fact(Type.INT, lambda f: f.referral.referrer.referrals),
    "referrer.paid_referrals": Fact(Type.INT, lambda f: f.referral.referrer.paid_referrals),
    "referrer.rewards_this_month": Fact(Type.INT, lambda f: f.referral.referrer.rewards_this_month),
    "spent_this_month": Fact(
        Type.MONEY, lambda f: Money.of(f.usage.spent_in("month"), f.currency),
        doc="money the program gave this month, before this event",
    ),
    "referrer.segment": Fact(Type.STRING, lambda f: f.referral.referrer.segment,
                             doc="the referrer's segment", values=(*SEGMENTS, NO_SEGMENT)),
    "contest.name": Fact(Type.STRING, lambda f: _contest(f).name, doc="on contest end"),
    "contest.rank": Fact(Type.INT, lambda f: _contest(f).rank, doc="the entrant's final rank"),
    "contest.score": Fact(Type.DECIMAL, lambda f: _contest(f).score,
                          doc="the entrant's final score, in score units"),
    "contest.entrants": Fact(Type.INT, lambda f: _contest(f).entrants,
                             doc="entrants ranked in the contest"),
}
CONTEST_FACTS = frozenset(name for name in FACTS if name.startswith("contest."))

ALIASES = {
    "order.total": "order_total",
    "order.subtotal": "order_subtotal",
    "subtotal": "order_subtotal",
    "order.shipping": "order_shipping",
    "shipping": "order_shipping",
    "order.lines": "lines",
    "order.currency": "currency",
    "order.channel": "channel",
    "referral.is_referred": "referred",
    "customer.is_referred": "referred",
}


def fact_named(dotted: str) -> tuple[str, Fact] | None:
    canonical = ALIASES.get(dotted, dotted)
    fact = FACTS.get(canonical)
    return (canonical, fact) if fact else None


LINE_FIELDS: dict[str, tuple[Type, Callable[[LineFacts], object]]] = {
    "product": (Type.STRING, lambda line: line.product),
    "name": (Type.STRING, lambda line: line.product_name),
    "sku": (Type.STRING, lambda line: _present(line.sku, "line.sku")),
    "category": (Type.STRING, lambda line: _present(line.category, "line.category")),
    "collections": (Type.STRINGS, lambda line: line.collections),
    "quantity": (Type.INT, lambda line: line.quantity),
    "unit_price": (Type.MONEY, lambda line: line.unit_price),
    "price": (Type.MONEY, lambda line: line.unit_price),
    "total": (Type.MONEY, lambda line: line.total_price),
}

ORDER_TRIGGERS = frozenset({
    Trigger.CHECKOUT, Trigger.ORDER_CREATED, Trigger.ORDER_PAID, Trigger.ORDER_FULFILLED,
    Trigger.ORDER_CANCELLED, Trigger.ORDER_REFUNDED, Trigger.FIRST_ORDER_IN_CHANNEL,
})

PERIODS = ("day", "week", "month", "quarter", "year")
CONTEST_SCORES = {
    "referrals.count": "referrals",
    "referrals.paid": "paid_referrals",
    "referrals.paid.count": "paid_referrals",
    "referrals.paid.total": "referred_revenue",
    "referrals.paid.net_total": "referred_net_revenue",
    "points": "points",
}
MONEY_SCORES = frozenset({"referred_revenue", "referred_net_revenue"})
CONTEST_ENTRANTS = {"referrers": "referrer", "customers": "customer", "affiliates": "affiliate"}
TIE_BREAKS = ("earliest", "latest", "split")
