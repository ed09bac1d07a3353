"""Money bounded by construction: the last step of every evaluation, on both evaluators.

After per-order caps, each reward is held against three bounds, in this order:

1. its base: a discount takes no more off than the order's subtotal (free shipping: the
   shipping), is never negative, and a percent voucher takes at most 100 % off;
2. the program's per-reward ceiling (`ceiling 1000 USD`, else the currency's default);
3. the worst case `check` worked out for its rule, at this order's figures (rules whose
   amounts the checker cannot bound are held by the ceiling only).

A reward over a bound is not given: it becomes a `Refusal` with the reason, which the app
sends to its review queue. Nothing here reads a clock or does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rules.checker import RuleBound
from rules.evaluate.ceiling import default_ceiling
from rules.evaluate.decision import Refusal, Reward
from rules.facts import Facts, Money, MoneyError, quantum


@dataclass(frozen=True, slots=True)
class Guard:
    ceiling: Decimal | None  # declared with `ceiling …`, in the program's (or facts') currency
    bounds: Mapping[int, RuleBound]  # by rule line

    def ceiling_for(self, currency: str) -> Money:
        if self.ceiling is not None:
            return Money.of(self.ceiling, currency)
        return default_ceiling(currency)

    def apply(self, rewards: Sequence[Reward], facts: Facts,
              note: Callable[[Refusal], None] | None = None,
              ) -> tuple[list[Reward], tuple[Refusal, ...]]:
        """(rewards kept, refusals) in written order; `note` hears each refusal."""
        if not rewards:
            return list(rewards), ()
        ceiling = self.ceiling_for(facts.currency)
        base = order_base(facts)
        spent: dict[int, Decimal] = {}
        kept: list[Reward] = []
        refused: list[Refusal] = []
        for reward in rewards:
            reason = (_over_base(reward, facts) or _over_ceiling(reward, ceiling)
                      or self._over_rule(reward, base, spent, facts.currency))
            if reason is None:
                kept.append(reward)
                continue
            refusal = Refusal(reward, reason)
            refused.append(refusal)
            if note is not None:
                note(refusal)
        return kept, tuple(refused)

    def sure_limits(self, currency: str) -> tuple[Decimal, dict[int, Decimal]]:
        """(ceiling, by rule line): a money reward in `currency` at most its rule line's figure
        (the ceiling for lines without a bound) is kept by `apply`, whatever the order."""
        ceiling = self.ceiling_for(currency).amount
        sure: dict[int, Decimal] = {}
        for line, bound in self.bounds.items():
            if bound.cost.unbounded:
                continue
            fixed = [f for f, p in bound.cost.terms if p == 0]
            most = max(fixed) + bound.slack * quantum(currency) if fixed else None
            sure[line] = min(ceiling, most) if most is not None else Decimal("-Infinity")
        return ceiling, sure

    def money_check(self) -> Callable[[Reward, Money, Facts], bool]:
        """`keeps(reward, amount, facts)`: whether `apply` would keep this one money reward
        (`reward` with `amount`), the compiled evaluator's fast path. False means only "ask
        `apply`", which words the refusal. The bounds are read once per currency."""
        by_currency: dict[str, tuple[Decimal, dict[int, tuple]]] = {}

        def limits(currency: str) -> tuple[Decimal, dict[int, tuple]]:
            slack_unit, by_line = quantum(currency), {}
            for line, bound in self.bounds.items():
                terms = bound.cost.terms
                if bound.cost.unbounded:
                    continue
                slack = bound.slack * slack_unit
                fixed = [f for f, p in terms if p == 0]
                by_line[line] = (max(fixed) + slack if fixed else None, slack, terms,
                                 all(p >= 0 for _, p in terms))
            return by_currency.setdefault(currency, (self.ceiling_for(currency).amount, by_line))

        def keeps(reward: Reward, amount: Money, facts: Facts) -> bool:
            currency = facts.currency
            try:
                ceiling, by_line = by_currency.get(currency) or limits(currency)
            except MoneyError:  # an unknown currency: `apply` words the error
                return False
            if amount.amount > ceiling:
                return False
            bound = by_line.get(reward.rule_line)
            if bound is None or reward.voucher_type == "free_shipping":
                return True  # no bound, or one the checker could not work out
            fixed_most, slack, terms, growing = bound
            if fixed_most is not None and amount.amount <= fixed_most:
                return True  # within a fixed alternative, whatever the order's figures
            order = facts.order
            if order is None or not growing:
                return False
            # The worst case grows with the base, which is at least the order's total.
            total = order.total.amount
            worst = max([fixed + percent * total / 100 for fixed, percent in terms])
            return amount.amount <= worst + slack
        return keeps

    def _over_rule(self, reward: Reward, base: Decimal, spent: dict[int, Decimal],
                   currency: str) -> str | None:
        amount = counted_amount(reward)
        bound = self.bounds.get(reward.rule_line)
        if amount is None or bound is None:
            return None
        worst = bound.cost.at(base)
        if worst is None:
            return None  # the checker could not bound it: the ceiling holds it
        total = spent.get(reward.rule_line, Decimal(0)) + amount
        if total > worst + bound.slack * quantum(currency):
            shown = Money.of(worst, currency)
            return f"more than the worst case `check` worked out for its rule ({shown})"
        spent[reward.rule_line] = total
        return None


def counted_amount(reward: Reward) -> Decimal | None:
    """The money a reward is worth where the static bound counts it (free shipping is held by
    its base, the shipping, instead)."""
    if reward.amount is None or reward.kind == "points" or reward.voucher_type == "free_shipping":
        return None
    return reward.amount.amount


def order_base(facts: Facts) -> Decimal:
    """The order figure the checker's `% of order total` stands for. The checker takes the
    subtotal, the shipping and the lines' totals as parts of the total; facts may say
    otherwise, so the largest of them is used: the bound stays sound on any facts."""
    order = facts.order
    if order is None:
        return Decimal(0)
    lines = sum((line.total_price.amount for line in order.lines), Decimal(0))
    return max(order.total.amount, order.subtotal.amount, order.shipping.amount, lines)


def _over_base(reward: Reward, facts: Facts) -> str | None:
    if reward.kind == "voucher" and reward.percent is not None and not (
            0 <= reward.percent <= 100):
        return f"a voucher takes between 0% and 100% off, not {reward.percent}%"
    if reward.kind not in ("discount", "voucher") or reward.amount is None:
        return None
    if reward.amount.amount < 0:
        return f"a {reward.kind} cannot be negative"
    if reward.kind == "voucher":
        return None  # off a future order: the ceiling holds it
    order = facts.order
    if order is None:
        return None
    if reward.voucher_type == "free_shipping":
        base, what = order.shipping, "shipping"
    else:
        base, what = order.subtotal, "subtotal"
    if reward.amount > base:
        return f"it takes more off than the order's {what} ({base})"
    return None


def _over_ceiling(reward: Reward, ceiling: Money) -> str | None:
    if reward.amount is None or reward.kind == "points":
        return None
    if reward.amount.amount > ceiling.amount:
        return f"more than the program's ceiling of {ceiling} per reward"
    return None
