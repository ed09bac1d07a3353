"""The difference between two variants, safe to look at every day: an anytime-valid confidence
sequence, and a plain verdict.

A fixed-sample confidence interval looked at daily until it excludes zero finds a "winner" far
more often than its 5 %. A confidence sequence holds at every sample size at once, so peeking
costs nothing. Each customer assigned to the test gives one pseudo-outcome whose mean is the
difference of the variants' means (B minus A), weighting by the assignment probabilities:

    psi = y / p_B  for a customer in B,   psi = -y / p_A  for a customer in A

and the two-sided normal-mixture boundary (Robbins; Howard et al. 2021; the asymptotic form of
Waudby-Smith et al. 2023) gives, for n customers with psi's standard deviation s,

    mean(psi) +- s * sqrt((n r^2 + 1) / (n^2 r^2) * ln((n r^2 + 1) / alpha^2))

with r tuned to be tightest near `TUNED_FOR` customers. Statistics run in floats: they are
estimates shown as percents, never money paid to anyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

ALPHA = 0.05
TUNED_FOR = 1000  # customers: where the sequence is tightest (it is valid everywhere)
MIN_PER_VARIANT = 30  # below this no verdict is given, however wide the interval says it is


@dataclass(frozen=True, slots=True)
class Moments:
    """Per-customer outcomes of one variant: how many customers, their sum and sum of squares
    (e.g. referred revenue per customer assigned)."""

    n: int
    total: Decimal
    squares: Decimal

    @classmethod
    def of(cls, values: list[Decimal]) -> Moments:
        return cls(len(values), sum(values, Decimal(0)), sum((v * v for v in values), Decimal(0)))

    @property
    def mean(self) -> float:
        return float(self.total) / self.n if self.n else 0.0


@dataclass(frozen=True, slots=True)
class Interval:
    """B minus A per customer, with the sequence's bounds at this sample size."""

    difference: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def _radius(n: int, sd: float, alpha: float, tuned_for: int) -> float:
    log_alpha = -2 * math.log(alpha)
    rho2 = (log_alpha + math.log(log_alpha + 1)) / tuned_for
    spread = n * rho2 + 1
    return sd * math.sqrt(spread / (n * n * rho2) * math.log(spread / (alpha * alpha)))


def difference(a: Moments, b: Moments, *, share_b: float, alpha: float = ALPHA,
               tuned_for: int = TUNED_FOR) -> Interval | None:
    """The confidence sequence for mean(B) - mean(A) per customer, B assigned with probability
    `share_b`; None before both variants have a customer."""
    if a.n == 0 or b.n == 0 or not 0 < share_b < 1:
        return None
    share_a, n = 1 - share_b, a.n + b.n
    mean = (float(b.total) / share_b - float(a.total) / share_a) / n
    second = (float(b.squares) / share_b**2 + float(a.squares) / share_a**2) / n
    sd = math.sqrt(max(second - mean * mean, 0.0))
    radius = _radius(n, sd, alpha, tuned_for)
    return Interval(mean, mean - radius, mean + radius)


def _percent(change: float, base: float) -> int:
    return round(100 * abs(change) / base) if base else 0


def verdict(*, names: tuple[str, str], revenue: tuple[Moments, Moments],
            cost: tuple[Moments, Moments], share_b: float, alpha: float = ALPHA) -> str:
    """In words: which variant brings more referred revenue per customer, at what cost, how
    sure; or "not enough data yet" while the sequence still holds zero."""
    (name_a, name_b), (rev_a, rev_b), (cost_a, cost_b) = names, revenue, cost
    if min(rev_a.n, rev_b.n) < MIN_PER_VARIANT:
        return f"not enough data yet: at least {MIN_PER_VARIANT} customers in each variant"
    rev = difference(rev_a, rev_b, share_b=share_b, alpha=alpha)
    if rev is None or not rev.excludes_zero:
        return "not enough data yet: the variants cannot be told apart on referred revenue"
    winner, loser = (name_b, name_a) if rev.difference > 0 else (name_a, name_b)
    base = rev_a if rev.difference > 0 else rev_b
    lift = _percent(rev.difference, base.mean)
    spent = difference(cost_a, cost_b, share_b=share_b, alpha=alpha)
    if spent is None or not spent.excludes_zero:
        at_cost = "at the same cost"
    else:
        winner_costs_more = (spent.difference > 0) == (winner == name_b)
        other = cost_a if winner == name_b else cost_b  # the loser's cost is the base
        change = "more" if winner_costs_more else "less"
        at_cost = (f"at {_percent(spent.difference, other.mean)} % {change} cost"
                   if other.mean else f"at {change} cost")
    sure = round(100 * (1 - alpha))
    return (f"{winner} brings {lift} % more referred revenue than {loser} {at_cost}, "
            f"{sure} % sure")
