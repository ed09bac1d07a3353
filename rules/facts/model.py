"""The typed facts a program sees: order, lines, customer, referral, referrer history.

Facts are plain frozen values. The Saleor app builds them from webhook payloads and its own
records; tests and the CLI build them from JSON (`facts_from_json`). Evaluation never reads
anything else: no clock (`now` is a fact), no database, no network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from rules.facts.frozen import quick_init
from rules.facts.money import Money

# The named customer segments the app computes from each shop's own order history (recency,
# frequency, monetary value), best first; `customer.segment` and `referrer.segment` read them.
SEGMENTS: tuple[str, ...] = ("champions", "loyal", "new", "promising", "at_risk", "asleep")
NO_SEGMENT = ""  # no paid, kept order yet (or not computed yet)


class Trigger(StrEnum):
    """The moments a rule can run at."""

    CHECKOUT = "checkout"
    ORDER_CREATED = "order created"
    ORDER_PAID = "order paid"
    ORDER_FULFILLED = "order fulfilled"
    ORDER_CANCELLED = "order cancelled"
    ORDER_REFUNDED = "order refunded"
    CUSTOMER_CREATED = "customer created"
    CUSTOMER_ASLEEP = "customer asleep"
    FIRST_ORDER_IN_CHANNEL = "first order in channel"
    CONTEST_END = "contest end"


@quick_init
@dataclass(frozen=True, slots=True)
class LineFacts:
    """One order or checkout line."""

    product: str  # product slug
    quantity: int
    unit_price: Money
    total_price: Money
    sku: str | None = None
    product_name: str = ""
    variant_id: str | None = None
    category: str | None = None  # category slug
    collections: tuple[str, ...] = ()  # collection slugs


@quick_init
@dataclass(frozen=True, slots=True)
class OrderFacts:
    """An order, or a checkout about to become one (then `id` is the checkout's)."""

    id: str
    currency: str
    total: Money
    subtotal: Money
    shipping: Money
    channel: str  # channel slug
    lines: tuple[LineFacts, ...] = ()
    number: str | None = None
    created: datetime | None = None
    voucher_code: str | None = None
    refunded: Money | None = None  # total refunded so far
    is_paid: bool = False


@quick_init
@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """The customer the event is about, with their history before this order."""

    email: str
    id: str | None = None  # Saleor user id; None for guests
    is_new: bool = True  # no earlier paid order for this user or normalised e-mail
    orders: int = 0  # earlier paid orders
    orders_in_channel: int = 0  # earlier paid orders in this event's channel
    total_spent: Money | None = None
    first_order: date | None = None
    last_order: date | None = None
    usual_interval: timedelta | None = None  # median gap between their orders
    periods_missed: int = 0  # whole usual intervals since the last order
    segment: str = ""  # one of SEGMENTS, "" when the shop has none for them yet


@quick_init
@dataclass(frozen=True, slots=True)
class ReferrerFacts:
    """The referrer's own standing."""

    id: str | None = None
    email: str | None = None
    orders: int = 0  # their own paid orders
    total_spent: Money | None = None
    referrals: int = 0  # friends referred so far (any status)
    paid_referrals: int = 0  # friends whose order was paid and not voided
    rewards_this_month: int = 0
    segment: str = ""  # one of SEGMENTS, "" when the shop has none for them yet


@quick_init
@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """Whether and by whom the customer was referred."""

    is_referred: bool = False
    code: str | None = None
    days_since: int | None = None  # days since the referral was recorded
    referrer: ReferrerFacts = field(default_factory=ReferrerFacts)


@quick_init
@dataclass(frozen=True, slots=True)
class ContestFacts:
    """One entrant's final standing, seen by `on contest end` rules."""

    name: str
    rank: int  # 1 = best; tied entrants share a rank under `ties split`
    score: Decimal  # in score units: a count, or an amount in the program's currency
    entrants: int  # entrants ranked in the contest


USAGE_RECIPIENTS = ("referrer", "referee", "customer")
USAGE_PERIODS = ("day", "week", "month", "quarter", "year", "ever")


@quick_init
@dataclass(frozen=True, slots=True)
class UsageFacts:
    """What the program's limits and budgets already counted in the periods that hold `now`:
    rewards given to the people of this event, by (recipient, period), and money spent by the
    program, by period, in the facts' currency. The app reads them from its ledger; facts files
    state them (`rules/FACTS.md`). Absent means none yet."""

    rewards: tuple[tuple[str, str, int], ...] = ()  # (recipient, period, count)
    spent: tuple[tuple[str, Money], ...] = ()  # (period, amount)

    def rewards_in(self, recipient: str, period: str) -> int:
        return next((n for who, p, n in self.rewards if who == recipient and p == period), 0)

    def spent_in(self, period: str) -> Decimal:
        return next((m.amount for p, m in self.spent if p == period), Decimal(0))


NO_USAGE = UsageFacts()  # immutable, so one instance serves every evaluation that counted nothing


@quick_init
@dataclass(frozen=True, slots=True)
class Facts:
    """Everything one evaluation may look at."""

    trigger: Trigger
    now: datetime
    channel: str
    currency: str
    order: OrderFacts | None = None
    customer: CustomerFacts | None = None
    referral: ReferralFacts = field(default_factory=ReferralFacts)
    contest: ContestFacts | None = None  # only on `contest end`
    usage: UsageFacts = NO_USAGE  # what limits and budgets counted


def periods_missed(since_last_order: timedelta, usual_interval: timedelta | None) -> int:
    """Whole usual intervals gone by since the last order (`customer asleep for N periods`):
    one meaning for the app's records, facts files and the sandbox."""
    if usual_interval is None or usual_interval <= timedelta(0):
        return 0
    return max(0, int(since_last_order / usual_interval))


def first_order_in_channel(facts: Facts) -> bool:
    """`first order in channel`: a customer with no earlier paid order in the event's (known)
    channel. Both evaluators and the app decide it with this."""
    customer = facts.customer
    return bool(facts.channel) and customer is not None and customer.orders_in_channel == 0
