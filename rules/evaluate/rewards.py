"""Compiled `give`: closures that build the Reward the interpreter's `make_reward` builds.

Everything fixed by the source (recipient, rule, reason, hold, expiry) is worked out once; only
the amount, the cap and the order's figures are read per evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rules.evaluate.compile_expr import Fn
from rules.evaluate.decision import Percent, Reward
from rules.evaluate.values import as_money
from rules.facts import Facts, Missing, Money
from rules.syntax import ast

MakeReward = Callable[[Facts, dict], Reward | None]


def reward_maker(spec: ast.RewardSpec, delivery: str | None, value: Fn | None, cap: Fn | None,
                 fixed: dict[str, Any]) -> MakeReward:
    """`fixed` holds recipient, rule_line, rule_label, reason, hold_days, hold_after and
    expires_days. The value is read before the cap, as the interpreter reads them."""
    kind = spec.kind
    if kind == "points":
        return _points(value, cap, fixed)  # type: ignore[arg-type]
    if kind in ("free_shipping", "free_product"):
        return _free(spec, value, cap, fixed)
    if kind == "amount":
        return _money(value, cap, delivery or "gift_card", fixed)  # type: ignore[arg-type]
    return _discount_or_voucher(kind, value, cap, fixed)  # type: ignore[arg-type]


def _cap_reader(cap: Fn | None) -> Callable[[Facts, dict], Money | None]:
    if cap is None:
        return lambda _f, _env: None

    def read(f: Facts, env: dict) -> Money | None:
        amount = cap(f, env)
        if type(amount) is Money and amount.currency == f.currency:
            return amount
        return as_money(amount, f.currency)
    return read


def _value_reader(value: Fn | None) -> Fn:
    return value if value is not None else (lambda _f, _env: None)


def _points(value: Fn, cap: Fn | None, fixed: dict[str, Any]) -> MakeReward:
    read_cap = _cap_reader(cap)

    def make(f: Facts, env: dict) -> Reward | None:
        amount = value(f, env)
        max_amount = read_cap(f, env)
        points = int(amount)  # type: ignore[call-overload]
        if points <= 0:
            return None
        return Reward(kind="points", points=points, max_amount=max_amount, **fixed)
    return make


def _free(spec: ast.RewardSpec, value: Fn | None, cap: Fn | None,
          fixed: dict[str, Any]) -> MakeReward:
    read_value, read_cap = _value_reader(value), _cap_reader(cap)
    voucher_type, product, next_order = spec.kind, spec.product, spec.next_order
    shipping = spec.kind == "free_shipping"

    def make(f: Facts, env: dict) -> Reward:
        read_value(f, env)
        max_amount = read_cap(f, env)
        at_checkout = not next_order and f.order is not None and f.trigger.value == "checkout"
        amount = f.order.shipping if at_checkout and shipping else None  # type: ignore[union-attr]
        return Reward(kind="discount" if at_checkout else "voucher", voucher_type=voucher_type,
                      amount=amount, product=product, max_amount=max_amount, **fixed)
    return make


def _money(value: Fn, cap: Fn | None, delivery: str, fixed: dict[str, Any]) -> MakeReward:
    read_cap = _cap_reader(cap)
    recipient, rule_line, rule_label = fixed["recipient"], fixed["rule_line"], fixed["rule_label"]
    reason, hold_days, hold_after = fixed["reason"], fixed["hold_days"], fixed["hold_after"]
    expires_days = fixed["expires_days"]

    def make(f: Facts, env: dict) -> Reward | None:
        given = value(f, env)
        max_amount = read_cap(f, env)
        if isinstance(given, Percent):
            percent = given.value
            order = f.order
            if order is None:
                raise Missing("order")
            amount = order.total.percent(percent)
        else:
            percent = None
            amount = given if type(given) is Money and given.currency == f.currency else (
                as_money(given, f.currency))
        if max_amount is not None and amount > max_amount:
            amount = min(amount, max_amount)
        if amount.amount <= 0:
            return None
        return Reward(recipient=recipient, kind="money", rule_line=rule_line,
                      rule_label=rule_label, reason=reason, amount=amount, percent=percent,
                      max_amount=max_amount, delivery=delivery, hold_days=hold_days,
                      hold_after=hold_after, expires_days=expires_days)
    return make


def _discount_or_voucher(kind: str, value: Fn, cap: Fn | None,
                         fixed: dict[str, Any]) -> MakeReward:
    read_cap = _cap_reader(cap)

    def make(f: Facts, env: dict) -> Reward:
        given = value(f, env)
        max_amount = read_cap(f, env)
        percent = given.value if isinstance(given, Percent) else None
        voucher_type = "percent" if percent is not None else "fixed"
        if kind == "discount":
            if percent is not None:
                order = f.order
                if order is None:
                    raise Missing("order")
                amount = order.subtotal.percent(percent)
            else:
                amount = as_money(given, f.currency)
            if max_amount is not None and amount > max_amount:
                amount = max_amount
            return Reward(kind="discount", amount=amount, percent=percent,
                          voucher_type=voucher_type, max_amount=max_amount, **fixed)
        amount = None if percent is not None else as_money(given, f.currency)
        if amount is not None and max_amount is not None and amount > max_amount:
            amount = max_amount
        return Reward(kind="voucher", amount=amount, percent=percent, voucher_type=voucher_type,
                      max_amount=max_amount, **fixed)
    return make
