"""Static analysis helpers: value ranges implied by conditions, and bounds on a reward's cost.

Ranges find branches and rules that can never run (`order_total > 500 and order_total < 100`)
and prove a fixed reward stays under the order total; costs give the worst case of one order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules import ast

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


@dataclass(frozen=True, slots=True)
class Cost:
    """At most `fixed` money plus `percent` % of the order total; `unbounded` when neither can
    say (percent vouchers on a future order, free products, amounts computed from lines)."""

    fixed: Decimal = Decimal(0)
    percent: Decimal = Decimal(0)
    unbounded: bool = False

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.fixed + other.fixed, self.percent + other.percent,
                    self.unbounded or other.unbounded)

    def capped(self, cap: Decimal) -> Cost:
        """A `max` modifier or a fixed per-order cap bounds everything to `cap`."""
        if self.unbounded or self.percent > 0 or self.fixed > cap:
            return Cost(cap)
        return self

    def capped_percent(self, percent: Decimal) -> Cost:
        """A per-order cap of `percent` % of the order total."""
        if not self.unbounded and self.percent == 0:
            return self
        if not self.unbounded and self.fixed == 0 and self.percent <= percent:
            return self
        return Cost(Decimal(0), percent)

    def text(self, currency: str | None) -> str:
        if self.unbounded:
            return "unbounded"
        unit = f" {currency}" if currency else ""
        parts = []
        if self.fixed or not self.percent:
            parts.append(f"{self.fixed}{unit}")
        if self.percent:
            parts.append(f"{self.percent}% of order total")
        return " + ".join(parts)


def max_cost(a: Cost, b: Cost) -> Cost:
    """A bound on whichever of two branches runs."""
    if a.unbounded or b.unbounded:
        return Cost(unbounded=True)
    return Cost(max(a.fixed, b.fixed), max(a.percent, b.percent))
