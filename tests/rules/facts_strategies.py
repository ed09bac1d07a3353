"""Hypothesis strategies for random facts in a program's currency (or, rarely, another one)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st
from rules_strategies import CATEGORIES, CHANNELS, CURRENCIES, SKUS, decimal_text

from rules.facts import (
    USAGE_PERIODS,
    USAGE_RECIPIENTS,
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    ReferralFacts,
    ReferrerFacts,
    Trigger,
    UsageFacts,
)
from rules.facts.money import Money
from rules.facts.schema import ORDER_TRIGGERS

# Built once: hypothesis reuses a strategy it has seen, not one made afresh for every draw.
ALL_TRIGGERS = st.sampled_from(tuple(Trigger))
CHANNEL = st.sampled_from(tuple(CHANNELS))
LAST_ORDER = st.none() | st.dates(date(2025, 1, 1), date(2026, 3, 1))
USER_ID = st.none() | st.just("u1")
USUAL_INTERVAL = st.none() | st.just(timedelta(days=30))
REFERRAL_CODE = st.sampled_from((None, "FRIEND", "X"))
DAYS_SINCE = st.none() | st.integers(0, 60)
PRODUCT = st.sampled_from(("p1", "p2", "p3"))
SKU = st.sampled_from((None, *SKUS))
CATEGORY = st.sampled_from((None, *CATEGORIES))
SEGMENT = st.sampled_from(("", "champions", "new", "asleep"))
COLLECTIONS = st.lists(st.sampled_from(("sale", "new")), max_size=2, unique=True)


def money(draw, currency: str, high: int = 3000) -> Money:
    return Money.of(decimal_text(draw, CURRENCIES.get(currency, 2), high), currency)


def maybe_money(draw, currency: str, high: int) -> Money | None:
    """None or an amount (drawn only when there is one)."""
    return money(draw, currency, high) if draw(st.booleans()) else None


@st.composite
def facts_for(draw, currency: str, triggers: list[Trigger], max_lines: int = 6) -> Facts:
    """Random facts of one event, mostly for one of `triggers`, mostly in `currency`."""
    trigger = draw(st.sampled_from(tuple(triggers))) if triggers and draw(st.integers(0, 9)) else (
        draw(ALL_TRIGGERS))
    if not draw(st.integers(0, 14)):
        currency = draw(st.sampled_from(tuple(c for c in CURRENCIES if c != currency)))
    channel = draw(CHANNEL)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 400)))
    order = None
    if draw(st.integers(0, 9)) < (9 if trigger in ORDER_TRIGGERS else 3):
        lines = tuple(draw(st.lists(lines_in(currency), max_size=max_lines)))
        order = OrderFacts(
            id="o1", currency=currency, total=money(draw, currency),
            subtotal=money(draw, currency), shipping=money(draw, currency, 40), channel=channel,
            lines=lines, refunded=maybe_money(draw, currency, 100),
            is_paid=draw(st.booleans()),
        )
    customer = None
    if draw(st.integers(0, 4)):
        last = draw(LAST_ORDER)
        customer = CustomerFacts(
            email="c@example.com", id=draw(USER_ID),
            is_new=draw(st.booleans()), orders=draw(st.integers(0, 12)),
            orders_in_channel=draw(st.integers(0, 12)),
            total_spent=maybe_money(draw, currency, 9000),
            last_order=last, usual_interval=draw(USUAL_INTERVAL),
            periods_missed=draw(st.integers(0, 4)), segment=draw(SEGMENT),
        )
    usage = draw(usage_in(currency)) if draw(st.integers(0, 2)) else UsageFacts()
    referrer = ReferrerFacts(
        orders=draw(st.integers(0, 12)), referrals=draw(st.integers(0, 20)),
        paid_referrals=draw(st.integers(0, 10)),
        total_spent=maybe_money(draw, currency, 9000), segment=draw(SEGMENT),
        rewards_this_month=usage.rewards_in("referrer", "month"),
    )
    referral = ReferralFacts(
        is_referred=draw(st.booleans()), code=draw(REFERRAL_CODE),
        days_since=draw(DAYS_SINCE), referrer=referrer,
    )
    return Facts(trigger=trigger, now=now, channel=channel, currency=currency, order=order,
                 customer=customer, referral=referral, usage=usage)


@st.composite
def usage_in(draw, currency: str) -> UsageFacts:
    """What limits and budgets already counted: a few people and periods, some spend."""
    rewards = draw(st.lists(st.tuples(st.sampled_from(USAGE_RECIPIENTS),
                                      st.sampled_from(USAGE_PERIODS), st.integers(0, 4)),
                            max_size=8, unique_by=lambda u: u[:2]))
    periods = draw(st.lists(st.sampled_from(USAGE_PERIODS), max_size=3, unique=True))
    return UsageFacts(tuple(rewards), tuple((p, money(draw, currency, 1200)) for p in periods))


@st.composite
def lines_in(draw, currency: str) -> LineFacts:
    quantity = draw(st.integers(1, 5))
    unit = money(draw, currency, 400)
    total = unit * quantity if draw(st.integers(0, 4)) else money(draw, currency, 900)
    return LineFacts(
        product=draw(PRODUCT), quantity=quantity, unit_price=unit,
        total_price=total, sku=draw(SKU),
        category=draw(CATEGORY),
        collections=tuple(draw(COLLECTIONS)),
    )
