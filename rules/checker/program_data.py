"""What a checked program exposes as data: its rules, limits, budgets, contests and examples.

The app stores what it needs from these (contest windows and prizes, the counters of limits and
budgets); evaluation applies per-order caps, and per-person limits and budgets are cut by
rules/evaluate/limits.py against what was already counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.facts import Money, Trigger


@dataclass(frozen=True, slots=True)
class RuleInfo:
    trigger: Trigger
    line: int
    label: str
    asleep_periods: int | None = None  # `customer asleep for N periods`
    channel: str | None = None  # `first order in channel "eu"`
    contest: str | None = None  # `contest end "March"`


@dataclass(frozen=True, slots=True)
class LimitInfo:
    """kind "per_person": at most `count` rewards per `period` for one `recipient`
    (evaluate/limits.py); kind "per_order": the rewards of one order stay within `cap` (evaluation
    applies it; `cap_text` is the source, e.g. `10% of order_total`)."""

    kind: str
    line: int
    recipient: str | None = None
    count: int | None = None
    period: str | None = None
    cap_text: str | None = None


@dataclass(frozen=True, slots=True)
class BudgetInfo:
    """At most `amount` of rewards per `period` (None: for the program's life); evaluate/limits.py
    cuts against the money already given. `amount` is None only when the program has no
    currency: then `amount_value` holds the number in the channel's currency."""

    amount: Money | None
    amount_value: Decimal
    period: str | None
    line: int


@dataclass(frozen=True, slots=True)
class PrizeInfo:
    """What ranks `first_rank..last_rank` win, checked: money (`amount`, paid as `delivery`),
    points, or a voucher off the next order (`voucher_type` percent with `percent`, fixed with
    `amount`, free_shipping, or free_product with the product's slug in `product`).
    `expires_days` / `hold_days` as written, else None."""

    first_rank: int
    last_rank: int
    kind: str  # money | points | voucher
    description: str  # as written, e.g. "500 USD as gift card"
    amount: Money | None = None
    points: int | None = None
    delivery: str | None = None
    voucher_type: str | None = None  # percent | fixed | free_shipping | free_product (vouchers)
    percent: Decimal | None = None  # 30 for `30% off next order`
    expires_days: int | None = None
    hold_days: int | None = None
    product: str | None = None  # product slug of a free_product voucher


@dataclass(frozen=True, slots=True)
class ContestInfo:
    name: str
    starts: date
    ends: date  # inclusive
    line: int
    score: str  # referrals | paid_referrals | referred_revenue | referred_net_revenue | points
    score_text: str  # as written, e.g. "referrals.paid.net_total"
    entrants: str = "referrer"  # referrer | customer | affiliate
    entrants_condition: str | None = None  # source text of the `where` condition
    minimum: Decimal | None = None  # in score units (money amounts in the program currency)
    prizes: tuple[PrizeInfo, ...] = ()
    tie_break: str = "earliest"  # earliest | latest | split


@dataclass(frozen=True, slots=True)
class ExampleInfo:
    name: str
    line: int
