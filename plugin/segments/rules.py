"""The segment rules as data, and the arithmetic of scores: nearest-rank quintile cuts, a value's
1-5 score against them, the named segment of (R, F, M, orders) and the advocate score.

Pure Python (no database); `plugin.segments.expressions` turns the same tables into SQL so the
full and the incremental computations share one definition. The rules, first match wins:

| segment   | recency R | frequency F | monetary M | orders |
|-----------|-----------|-------------|------------|--------|
| champions | 4-5       | 4-5         | 4-5        | any    |
| loyal     | 3-5       | 4-5         | any        | any    |
| new       | 4-5       | any         | any        | 1      |
| promising | 3-5       | any         | any        | any    |
| at_risk   | 2         | any         | any        | 2+     |
| asleep    | any       | any         | any        | any    |
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

SCORES = range(1, 6)
QUANTILES = 5  # quintiles: four cut points, scores 1..5
UNKNOWN_CURRENCY_SCORE = 3  # money in a currency the last full run had no customer in


@dataclass(frozen=True, slots=True)
class SegmentRule:
    """A segment and the inclusive ranges its customers' scores and order count fall in."""

    name: str
    label: str
    recency: tuple[int, int] = (1, 5)
    frequency: tuple[int, int] = (1, 5)
    monetary: tuple[int, int] = (1, 5)
    orders: tuple[int, int | None] = (1, None)  # None: no upper bound

    def matches(self, *, recency: int, frequency: int, monetary: int, orders: int) -> bool:
        low, high = self.orders
        return (self.recency[0] <= recency <= self.recency[1]
                and self.frequency[0] <= frequency <= self.frequency[1]
                and self.monetary[0] <= monetary <= self.monetary[1]
                and orders >= low and (high is None or orders <= high))


SEGMENT_RULES: tuple[SegmentRule, ...] = (
    # recent, frequent and big spenders
    SegmentRule("champions", "Champions", recency=(4, 5), frequency=(4, 5), monetary=(4, 5)),
    # buy often and have not lapsed
    SegmentRule("loyal", "Loyal", recency=(3, 5), frequency=(4, 5)),
    # a first order lately: the happiest moment to ask (the playbook)
    SegmentRule("new", "New", recency=(4, 5), orders=(1, 1)),
    # recent enough, not (yet) frequent
    SegmentRule("promising", "Promising", recency=(3, 5)),
    # repeat customers whose last order is getting old
    SegmentRule("at_risk", "At risk", recency=(2, 2), orders=(2, None)),
    # everyone else: the oldest fifth, and one-time buyers of the second oldest
    SegmentRule("asleep", "Asleep"),
)
SEGMENTS: tuple[str, ...] = tuple(rule.name for rule in SEGMENT_RULES)
SEGMENT_LABELS: dict[str, str] = {rule.name: rule.label for rule in SEGMENT_RULES}

# The advocate score (0-100): whom to invite first. Segment (0-30) + 4 x F (4-20) + 4 x M
# (4-20) + 6 per friend who already bought through them, counting at most 5 (0-30). Referrals
# that did not convert add nothing: asking again those who were asked is the point.
SEGMENT_POINTS: dict[str, int] = {
    "champions": 30, "loyal": 24, "new": 15, "promising": 15, "at_risk": 9, "asleep": 0,
}
FREQUENCY_POINTS = 4
MONETARY_POINTS = 4
CONVERTED_POINTS = 6
CONVERTED_CAP = 5


def quantile_cuts(values: Sequence[T]) -> list[T]:
    """The four nearest-rank quintile cut points of sorted `values` (20, 40, 60, 80 %): the
    smallest value with at least k/5 of all values at or below it. Exact for any ordered type
    (Decimal, datetime, int); [] for no values."""
    count = len(values)
    if count == 0:
        return []
    return [values[math.ceil(k * count / QUANTILES) - 1] for k in range(1, QUANTILES)]


def cut_ranks(count: int) -> list[int]:
    """The 0-based positions `quantile_cuts` reads in a sorted list of `count` values."""
    return [math.ceil(k * count / QUANTILES) - 1 for k in range(1, QUANTILES)] if count else []


def score_against(value: T, cuts: Sequence[T]) -> int:
    """1 + how many cut points lie strictly below `value`; equal values share a score, so a
    shop where most customers bought once gives every one-time buyer F = 1."""
    return 1 + sum(1 for cut in cuts if cut < value) if cuts else UNKNOWN_CURRENCY_SCORE


def segment_of(*, recency: int, frequency: int, monetary: int, orders: int) -> str:
    """The first rule of SEGMENT_RULES the scores match (the last one matches everything)."""
    for rule in SEGMENT_RULES:
        if rule.matches(recency=recency, frequency=frequency, monetary=monetary, orders=orders):
            return rule.name
    raise AssertionError("the last segment rule matches everyone")


def advocate_score(*, segment: str, frequency: int, monetary: int, converted: int) -> int:
    return (SEGMENT_POINTS[segment] + FREQUENCY_POINTS * frequency + MONETARY_POINTS * monetary
            + CONVERTED_POINTS * min(converted, CONVERTED_CAP))
