"""The worst-case cost of rewards, as `referrals check` reports it and evaluation enforces it.

A cost is the larger of a few alternatives, each at most `fixed` money plus `percent` % of the
order total (`if … give 50 USD else 20%` costs the larger of 50 USD and 20 % of the order
total, not both), plus what has no amount today: a share of a next order (percent vouchers)
and named items (free shipping, a free product). `unbounded` when the checker cannot say
(amounts computed from facts other than the order's figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Term = tuple[Decimal, Decimal]  # (fixed money, percent of the order total)
MAX_TERMS = 8  # more alternatives than this merge into one (coefficient-wise larger) bound
_ZERO = Decimal(0)


def _pruned(terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """Alternatives no other one covers, in a stable order; too many merge into one bound."""
    unique = sorted(set(terms), key=lambda t: (t[1], t[0]))
    kept = tuple(t for t in unique if not any(
        o != t and o[0] >= t[0] and o[1] >= t[1] for o in unique))
    if len(kept) > MAX_TERMS:
        return ((max(t[0] for t in kept), max(t[1] for t in kept)),)
    return kept or ((_ZERO, _ZERO),)


@dataclass(frozen=True, slots=True, init=False)
class Cost:
    terms: tuple[Term, ...]
    unbounded: bool
    next_order: Decimal  # % of a next order (percent vouchers), at most
    extras: frozenset[str]  # "free shipping", 'free product "tote-bag"', …

    def __init__(self, fixed: Decimal | int = _ZERO, percent: Decimal | int = _ZERO,
                 unbounded: bool = False, *, terms: tuple[Term, ...] | None = None,
                 next_order: Decimal | int = _ZERO, extras: frozenset[str] = frozenset()) -> None:
        chosen = terms if terms is not None else ((Decimal(fixed), Decimal(percent)),)
        object.__setattr__(self, "terms", _pruned(chosen))
        object.__setattr__(self, "unbounded", unbounded)
        object.__setattr__(self, "next_order", Decimal(next_order))
        object.__setattr__(self, "extras", extras)

    def _with(self, terms: tuple[Term, ...], unbounded: bool | None = None,
              next_order: Decimal | None = None) -> Cost:
        return Cost(terms=terms, unbounded=self.unbounded if unbounded is None else unbounded,
                    next_order=self.next_order if next_order is None else next_order,
                    extras=self.extras)

    def __add__(self, other: Cost) -> Cost:
        """Both happen: every pair of alternatives adds up."""
        terms = tuple((a[0] + b[0], a[1] + b[1]) for a in self.terms for b in other.terms)
        return Cost(terms=terms, unbounded=self.unbounded or other.unbounded,
                    next_order=self.next_order + other.next_order,
                    extras=self.extras | other.extras)

    @property
    def money_only(self) -> bool:
        """A fixed amount of money at most (no share of any order, nothing without an amount)."""
        return not self.unbounded and not self.next_order and not self.extras and all(
            percent == 0 for _, percent in self.terms)

    @property
    def fixed(self) -> Decimal:
        """The largest fixed part of the alternatives."""
        return max(fixed for fixed, _ in self.terms)

    def at(self, base: Decimal) -> Decimal | None:
        """The worst case in money on an order of total `base`; None when unbounded."""
        if self.unbounded:
            return None
        return max(fixed + percent * base / 100 for fixed, percent in self.terms)

    def capped(self, cap: Decimal) -> Cost:
        """A `max` on one reward: it is worth at most `cap`, whatever it is."""
        terms = tuple((min(f, cap), _ZERO) if p == 0 else (cap, _ZERO) for f, p in self.terms)
        if self.unbounded or self.next_order:
            terms += ((cap, _ZERO),)
        return self._with(terms, unbounded=False, next_order=_ZERO)

    def amounts_capped(self, cap: Decimal) -> Cost:
        """A per-order cap of `cap` money: rewards with an amount stay within it."""
        terms = tuple((min(f, cap), _ZERO) if p == 0 else (cap, _ZERO) for f, p in self.terms)
        if self.unbounded:
            terms = ((cap, _ZERO),)
        return self._with(terms, unbounded=False)

    def capped_percent(self, percent: Decimal) -> Cost:
        """A per-order cap of `percent` % of the order total, on the rewards with an amount."""
        if self.unbounded or any(p > percent or (p > 0 and f > 0) for f, p in self.terms):
            return self._with(((_ZERO, percent),), unbounded=False)
        return self

    def text(self, currency: str | None) -> str:
        if self.unbounded:
            return "unbounded"
        unit = f" {currency}" if currency else ""
        shown = [_term_text(term, unit) for term in self.terms if term != (_ZERO, _ZERO)]
        parts = []
        if len(shown) > 1:
            parts.append("the larger of " + ", ".join(shown[:-1]) + " and " + shown[-1])
        elif shown:
            parts.append(shown[0])
        if self.next_order:
            parts.append(f"{_number(self.next_order)}% of the next order")
        parts += sorted(self.extras)
        return " + ".join(parts) if parts else f"0{unit}"


def _number(value: Decimal) -> str:
    """`10.0` → `10`, `12.50` → `12.5`: figures as a merchant writes them."""
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(
        value, "f").rstrip("0")


def _term_text(term: Term, unit: str) -> str:
    fixed, percent = term
    parts = []
    if fixed or not percent:
        parts.append(f"{_number(fixed)}{unit}")
    if percent:
        parts.append(f"{_number(percent)}% of order total")
    return " + ".join(parts)


def max_cost(a: Cost, b: Cost) -> Cost:
    """A bound on whichever of two branches runs: the larger of their alternatives."""
    return Cost(terms=a.terms + b.terms, unbounded=a.unbounded or b.unbounded,
                next_order=max(a.next_order, b.next_order), extras=a.extras | b.extras)


@dataclass(frozen=True, slots=True)
class RuleBound:
    """The worst case of one rule's money (`cost`, in terms of the order total) and how many
    roundings its arithmetic can add (`slack`, in minor units of the currency)."""

    cost: Cost
    slack: int
