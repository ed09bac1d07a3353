"""What a program would have given over a backtest's orders (cost, points, rewarded orders,
referred revenue, customers acquired, per rule), and two programs' tallies side by side with
their difference."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plugin.dashboard.decisions import reward_lines
from plugin.programs.reports import to_jsonable
from rules.evaluate.decision import Decision
from rules.facts import Facts
from rules.facts.money import Money


@dataclass
class Tally:
    """What one program would have given over the orders.

    Referred revenue is the total of the referred orders the program rewards (what its rewards
    buy); a customer is acquired when the program rewards a referred friend's first paid order.
    History cannot tell how many more friends another incentive would have brought: these are
    the figures of the same orders, paid for differently."""

    cost: Decimal = Decimal(0)
    points: int = 0
    rewarded_orders: int = 0
    referred_revenue: Decimal = Decimal(0)
    acquired: int = 0
    per_rule_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_rule_cost: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, decision: Decision, currency: str, facts: Facts | None = None) -> None:
        lines = reward_lines(decision)
        if not lines:
            return
        self.rewarded_orders += 1
        for line in lines:
            self.per_rule_count[line.rule] += 1
            if line.money is not None and line.money.currency == currency:
                self.cost += line.money.amount
                self.per_rule_cost[line.rule] += line.money.amount
            self.points += line.points or 0
        if facts is None or not facts.referral.is_referred:
            return
        if facts.order is not None and facts.order.total.currency == currency:
            self.referred_revenue += facts.order.total.amount
        if facts.customer is not None and facts.customer.orders == 0:
            self.acquired += 1

    def cost_per_acquired(self, currency: str) -> Money | None:
        return Money(self.cost / self.acquired, currency) if self.acquired else None


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return to_jsonable(Money(amount, currency))


def _optional(money: Money | None) -> dict[str, str] | None:
    return to_jsonable(money) if money is not None else None


def tally_json(tally: Tally, currency: str) -> dict[str, Any]:
    return {"cost": _money(tally.cost, currency), "points": tally.points,
            "rewarded_orders": tally.rewarded_orders,
            "referred_revenue": _money(tally.referred_revenue, currency),
            "acquired": tally.acquired,
            "cost_per_acquired": _optional(tally.cost_per_acquired(currency))}


def difference_json(draft: Tally, other: Tally, currency: str) -> dict[str, Any]:
    """The draft minus the other program, figure by figure (cost per acquired customer only
    when both acquired someone)."""
    per_draft, per_other = draft.cost_per_acquired(currency), other.cost_per_acquired(currency)
    return {"cost": _money(draft.cost - other.cost, currency),
            "points": draft.points - other.points,
            "rewarded_orders": draft.rewarded_orders - other.rewarded_orders,
            "referred_revenue": _money(draft.referred_revenue - other.referred_revenue, currency),
            "acquired": draft.acquired - other.acquired,
            "cost_per_acquired": _optional(per_draft - per_other) if (
                per_draft is not None and per_other is not None) else None}


def summarise(*, draft: Tally, compared: Tally | None, compared_label: str,
              compared_number: int | None, currency: str, orders: int,
              skipped: int) -> dict[str, Any]:
    """The result a job stores: both programs' figures, the difference, and per rule (rules
    are matched by name: a rule kept under its name in both is one row)."""
    zero = Decimal(0)
    other = compared or Tally()
    names = sorted(set(draft.per_rule_count) | set(other.per_rule_count))
    return {
        "orders": orders,
        "skipped": skipped,
        "currency": currency,
        "draft": tally_json(draft, currency),
        "compared": None if compared is None else {
            "label": compared_label, "number": compared_number, **tally_json(compared, currency)},
        "difference": None if compared is None else difference_json(draft, compared, currency),
        "rules": [
            {"rule": name,
             "draft_count": draft.per_rule_count.get(name, 0),
             "draft_cost": _money(draft.per_rule_cost.get(name, zero), currency),
             "compared_count": other.per_rule_count.get(name, 0),
             "compared_cost": _money(other.per_rule_cost.get(name, zero), currency),
             "difference_cost": _money(draft.per_rule_cost.get(name, zero)
                                       - other.per_rule_cost.get(name, zero), currency)}
            for name in names
        ],
    }
