"""The one reward builder of evaluation: a `give`'s value and cap, read on one event's facts →
the Reward (None when it comes to nothing). The interpreter calls `reward_built` for each give;
the compiler calls it from the closures `reward_maker` returns, and the generated source starts
from `reward_fixed`, so the two cannot build different rewards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rules.checker import RuleInfo
from rules.evaluate.compile_expr import Fn
from rules.evaluate.decision import Percent, Reward
from rules.evaluate.values import as_money
from rules.facts import Facts, Missing, Money
from rules.syntax import ast, give_value_text

MakeReward = Callable[[Facts, dict], Reward | None]


def reward_fixed(give: ast.Give, info: RuleInfo) -> dict[str, Any]:
    """What the source fixes of every reward a `give` builds: recipient, rule, reason, hold
    and expiry."""
    return dict(
        recipient=give.recipient, rule_line=info.line, rule_label=info.label,
        reason=f"{info.label}: {give_value_text(give)}", hold_days=give.hold_days,
        hold_after=(give.hold_after or "payment") if give.hold_days is not None else None,
        expires_days=give.expires_days)


def reward_built(spec: ast.RewardSpec, delivery: str | None, given: object,
                 max_amount: Money | None, facts: Facts, fixed: dict[str, Any]) -> Reward | None:
    """The reward of `spec` worth `given` (the value read, a Percent for `N%`), capped at
    `max_amount`; `fixed` is `reward_fixed`'s."""
    kind = spec.kind
    if kind == "points":
        points = int(given)  # type: ignore[call-overload]
        if points <= 0:
            return None
        return Reward(kind="points", points=points, max_amount=max_amount, **fixed)
    if kind in ("free_shipping", "free_product"):
        order = facts.order
        at_checkout = not spec.next_order and order is not None and (
            facts.trigger.value == "checkout")
        amount = order.shipping if at_checkout and kind == "free_shipping" else None  # type: ignore[union-attr]
        return Reward(kind="discount" if at_checkout else "voucher", voucher_type=kind,
                      amount=amount, product=spec.product, max_amount=max_amount, **fixed)
    percent = given.value if isinstance(given, Percent) else None
    if kind == "amount":
        amount = _order_percent(facts, percent, "total") if percent is not None else as_money(
            given, facts.currency)
        if max_amount is not None and amount > max_amount:
            amount = max_amount
        if amount.amount <= 0:
            return None
        return Reward(kind="money", amount=amount, percent=percent, max_amount=max_amount,
                      delivery=delivery or "gift_card", **fixed)
    voucher_type = "percent" if percent is not None else "fixed"
    if kind == "discount":
        amount = _order_percent(facts, percent, "subtotal") if percent is not None else (
            as_money(given, facts.currency))
        if max_amount is not None and amount > max_amount:
            amount = max_amount
        return Reward(kind="discount", amount=amount, percent=percent,
                      voucher_type=voucher_type, max_amount=max_amount, **fixed)
    fixed_amount = None if percent is not None else as_money(given, facts.currency)
    if fixed_amount is not None and max_amount is not None and fixed_amount > max_amount:
        fixed_amount = max_amount  # `15 USD off next order max 10 USD` is a 10 USD voucher
    return Reward(kind="voucher", amount=fixed_amount, percent=percent,
                  voucher_type=voucher_type, max_amount=max_amount, **fixed)


def _order_percent(facts: Facts, percent: Any, of: str) -> Money:
    order = facts.order
    if order is None:
        raise Missing("order")
    return getattr(order, of).percent(percent)


def reward_maker(spec: ast.RewardSpec, delivery: str | None, value: Fn | None, cap: Fn | None,
                 fixed: dict[str, Any]) -> MakeReward:
    """The compiled `give`: reads the value, then the cap (as the interpreter reads them), and
    builds with `reward_built`."""
    read_value = value if value is not None else (lambda _f, _env: None)
    if cap is None:
        def make(f: Facts, env: dict) -> Reward | None:
            return reward_built(spec, delivery, read_value(f, env), None, f, fixed)
        return make

    def make_capped(f: Facts, env: dict) -> Reward | None:
        given = read_value(f, env)
        return reward_built(spec, delivery, given, as_money(cap(f, env), f.currency), f, fixed)
    return make_capped
