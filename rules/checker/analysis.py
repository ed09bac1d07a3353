"""Static analysis helpers: value ranges implied by conditions, and bounds on a reward's cost.

Ranges find branches and rules that can never run (`order_total > 500 and order_total < 100`)
and prove a fixed reward stays under the order total; bounds of amounts make the costs
(rules/checker/cost.py) that give the worst case of one order.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal

from rules.checker.cost import Cost, max_cost
from rules.source import Span
from rules.syntax import ast

__all__ = ["Bound", "Cost", "Range", "max_cost", "money_bound", "narrow", "node_count",
           "order_cap"]

Ranges = dict[str, "Range"]


@dataclass(frozen=True, slots=True)
class Range:
    """Known bounds of a numeric (or money, or boolean as 0/1) name on the current path."""

    lo: Decimal | None = None
    lo_open: bool = False
    hi: Decimal | None = None
    hi_open: bool = False

    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def above(self, value: Decimal, open_: bool) -> Range:
        if self.lo is None or value > self.lo or (value == self.lo and open_):
            return Range(value, open_, self.hi, self.hi_open)
        return self

    def below(self, value: Decimal, open_: bool) -> Range:
        if self.hi is None or value < self.hi or (value == self.hi and open_):
            return Range(self.lo, self.lo_open, value, open_)
        return self


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_CANON = {"order.total": "order_total", "subtotal": "order_subtotal",
          "order.subtotal": "order_subtotal", "referral.is_referred": "referred"}


def _const(e: ast.Expr) -> Decimal | None:
    match e:
        case ast.Number(value=v) | ast.MoneyLit(amount=v) | ast.PercentLit(value=v):
            return v
        case ast.BoolLit(value=v):
            return Decimal(int(v))
        case ast.Unary(op="-", operand=inner):
            c = _const(inner)
            return -c if c is not None else None
    return None


def _key(e: ast.Expr) -> str | None:
    return _CANON.get(e.dotted, e.dotted) if isinstance(e, ast.Name) else None


def narrow(ranges: Ranges, cond: ast.Expr, truth: bool) -> Ranges | None:
    """The ranges on the path where `cond` is `truth`; None when that path is impossible.
    Conditions it does not understand leave the ranges as they are."""
    match cond:
        case ast.BoolLit(value=v):
            return ranges if v == truth else None
        case ast.Unary(op="not", operand=inner):
            return narrow(ranges, inner, not truth)
        case ast.Binary(op="and") if truth:
            first = narrow(ranges, cond.left, True)
            return narrow(first, cond.right, True) if first is not None else None
        case ast.Binary(op="or") if not truth:
            first = narrow(ranges, cond.left, False)
            return narrow(first, cond.right, False) if first is not None else None
        case ast.Name() if _key(cond) is not None:
            return _apply(ranges, _key(cond), "==", Decimal(int(truth)))
        case ast.Compare(op=op, left=left, right=right) if op in _FLIP:
            name, value = _key(left), _const(right)
            if name is None or value is None:
                name, value, op = _key(right), _const(left), _FLIP[op]
            if name is None or value is None:
                return ranges
            return _apply(ranges, name, op if truth else _NEGATE[op], value)
    return ranges


def _apply(ranges: Ranges, name: str, op: str, value: Decimal) -> Ranges | None:
    current = ranges.get(name, Range())
    if op == "!=":
        if current.lo == current.hi == value and not current.lo_open and not current.hi_open:
            return None
        return ranges
    updated = current
    if op in (">", ">=", "=="):
        updated = updated.above(value, op == ">")
    if op in ("<", "<=", "=="):
        updated = updated.below(value, op == "<")
    if updated.empty():
        return None
    if updated == current:
        return ranges
    return {**ranges, name: updated}


def order_cap(cap: ast.Expr | None) -> tuple[Decimal | None, Decimal | None]:
    """A per-order cap as (fixed money, percent of the order total), or (None, None) when it is
    neither (computed from other facts): `limit reward <= 30 USD`, `<= 10%`,
    `<= 10% of order_total` (or of the subtotal, a part of the total)."""
    match cap:
        case ast.MoneyLit(amount=amount) | ast.Number(value=amount):
            return amount, None
        case ast.PercentLit(value=percent):
            return None, percent
        case ast.Binary(op="of", left=ast.PercentLit(value=percent), right=ast.Name() as base) \
                if _key(base) in ("order_total", "order_subtotal"):
            return None, percent
    return None, None


def node_count(node: object) -> int:
    """How many AST nodes `node` holds: a bound on the roundings its arithmetic can make."""
    count, stack = 0, [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif is_dataclass(item) and not isinstance(item, Span | type):
            count += 1
            stack.extend(getattr(item, f.name) for f in fields(item))
    return count


@dataclass(frozen=True, slots=True)
class Bound:
    """An upper bound on an amount: at most `fixed` + `percent` % of the order total (`fixed`
    may be negative: `order_total - 5 USD`)."""

    fixed: Decimal
    percent: Decimal
    cap: Decimal | None = None  # also at most this much (from `min(…, 25 USD)`)

    def scaled(self, factor: Decimal) -> Bound:
        cap = self.cap * factor if self.cap is not None else None
        return Bound(self.fixed * factor, self.percent * factor, cap)

    def can_exceed_total(self, floor: Decimal) -> bool:
        """Whether some order total of at least `floor` is smaller than this amount."""
        if self.cap is not None and self.cap <= floor:
            return False
        if self.percent > 100:
            return True
        if self.percent == 100:
            return self.fixed > 0
        return self.fixed > (1 - self.percent / 100) * floor

    def cost(self) -> Cost:
        linear = Cost(max(self.fixed, Decimal(0)), self.percent)
        return linear.capped(self.cap) if self.cap is not None else linear


_SHARES_OF_TOTAL = frozenset({"order_total", "order_subtotal", "order_shipping"})


def money_bound(e: ast.Expr, lets: dict[str, Bound | None], fact_of) -> Bound | None:
    """An upper bound of a Money expression in terms of the order total; None when unknown.
    `fact_of(dotted)` gives the canonical fact name (or None); `lets` holds let-bound bounds."""
    match e:
        case ast.MoneyLit(amount=v) | ast.Number(value=v):
            return Bound(v, Decimal(0))
        case ast.Name():
            if len(e.parts) == 1 and e.parts[0] in lets:
                return lets[e.parts[0]]
            return Bound(Decimal(0), Decimal(100)) if fact_of(e.dotted) in _SHARES_OF_TOTAL \
                else None
        case ast.Aggregate(func="sum", item=None):
            return Bound(Decimal(0), Decimal(100))  # the lines' totals: at most the subtotal
        case ast.Binary(op="+"):
            left, right = money_bound(e.left, lets, fact_of), money_bound(e.right, lets, fact_of)
            if left is None or right is None:
                return None
            return Bound(left.fixed + right.fixed, left.percent + right.percent)
        case ast.Binary(op="-"):
            left = money_bound(e.left, lets, fact_of)
            floor = _const(e.right)
            if left is None:
                return None
            # Money facts are never negative, so subtracting one lowers the amount.
            return Bound(left.fixed - (floor or Decimal(0)), left.percent)
        case ast.Binary(op="*" | "/" | "of"):
            return _scaled(e, lets, fact_of)
        case ast.Call(func=func, args=args):
            bounds = [money_bound(a, lets, fact_of) for a in args]
            known = [b for b in bounds if b is not None]
            if func == "max":
                if len(known) != len(bounds):
                    return None
                return Bound(max(b.fixed for b in known), max(b.percent for b in known))
            # min: every argument bounds it; keep the smallest share and the smallest fixed cap
            if not known:
                return None
            caps = [b.fixed for b in known if b.percent == 0] + [
                b.cap for b in known if b.cap is not None]
            shares = [b for b in known if b.percent > 0]
            cap = min(caps) if caps else None
            if not shares:
                return Bound(cap, Decimal(0))  # type: ignore[arg-type]
            best = min(shares, key=lambda b: (b.percent, b.fixed))
            return Bound(best.fixed, best.percent, cap)
    return None


def _scaled(e: ast.Binary, lets, fact_of) -> Bound | None:
    left_const, right_const = _const(e.left), _const(e.right)
    if e.op == "of" and isinstance(e.left, ast.PercentLit):
        inner = money_bound(e.right, lets, fact_of)
        return inner.scaled(e.left.value / 100) if inner is not None else None
    if e.op == "/" and right_const is not None and right_const > 0:
        inner = money_bound(e.left, lets, fact_of)
        return inner.scaled(1 / right_const) if inner is not None else None
    if e.op == "*":
        for money, factor, literal in ((e.left, right_const, e.right),
                                       (e.right, left_const, e.left)):
            if factor is None or factor < 0:
                continue
            inner = money_bound(money, lets, fact_of)
            if inner is not None:
                scale = factor / 100 if isinstance(literal, ast.PercentLit) else factor
                return inner.scaled(scale)
    return None
