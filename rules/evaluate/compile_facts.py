"""Compiled reads of facts: `(facts, env) -> value` closures for the names a program reads.

The hottest facts are read directly; the rest through the schema's own getters.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from rules.facts import Facts, Missing, fact_named
from rules.source import EvaluationError

Fn = Callable[[Facts, Any], object]


def fact_reader(dotted: str) -> Fn:
    found = fact_named(dotted)
    if found is None:
        def unknown(_f, _env):
            raise EvaluationError(f"unknown name {dotted}")
        return unknown
    canonical, fact = found
    fast = _DIRECT_READERS.get(canonical)
    if fast is not None:
        return fast
    read = fact.read
    return lambda f, _env: read(f)


def _order_money(field: str) -> Fn:
    getter = operator.attrgetter(field)

    def read(f: Facts, _env: object) -> object:
        order = f.order
        if order is None:
            raise Missing("order")
        return getter(order)
    return read


def _customer_field(field: str) -> Fn:
    getter = operator.attrgetter(field)

    def read(f: Facts, _env: object) -> object:
        customer = f.customer
        if customer is None:
            raise Missing("customer")
        return getter(customer)
    return read


def _customer_is_guest(f: Facts, _env: object) -> bool:
    customer = f.customer
    if customer is None:
        raise Missing("customer")
    return customer.id is None


# The hottest facts read without the schema's extra call; each reads what `schema.FACTS` reads
# (the agreement property tests compare them with the interpreter on random facts).
_DIRECT_READERS: dict[str, Fn] = {
    "order_total": _order_money("total"),
    "order_subtotal": _order_money("subtotal"),
    "order_shipping": _order_money("shipping"),
    "lines": _order_money("lines"),
    "channel": lambda f, _env: f.channel,
    "referred": lambda f, _env: f.referral.is_referred,
    "referrer.orders": lambda f, _env: f.referral.referrer.orders,
    "customer.orders": _customer_field("orders"),
    "customer.is_new": _customer_field("is_new"),
    "customer.is_guest": _customer_is_guest,
}
