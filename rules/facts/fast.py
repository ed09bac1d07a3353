"""The fast path of `facts_from_json` for well-formed documents (rules/facts/codec.py).

Facts as `facts_to_json`, the app and the dashboard write them (plain strings, counts, money
with exactly the currency's decimals) are read here in one pass. At the first value this path
is not sure of, it gives up (`NotFast`) and `facts_from_json` reads the document again in full,
so every error, default and rounding is the full reader's: this path only ever returns the
Facts the full reader returns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rules.facts.model import (
    SEGMENTS,
    ContestFacts,
    CustomerFacts,
    Facts,
    LineFacts,
    OrderFacts,
    ReferralFacts,
    ReferrerFacts,
    Trigger,
    periods_missed,
)
from rules.facts.money import Money, exact_money
from rules.facts.values import MAX_COUNT, MAX_DAYS, MAX_WHOLE_DIGITS, PLACES, well_formed_money

_TRIGGERS = {trigger.value: trigger for trigger in Trigger}
_MAX_LINES = 10_000  # rules.facts.codec.MAX_LINES
_MAX_TEXT = 1_000


class NotFast(Exception):
    """A value the fast path leaves to the full reader."""


def _money(value: Any, currency: str) -> Money:
    """`{"amount": "12.50", "currency": "USD"}`, `"12.50 USD"` or `"12.50"`, in `currency`,
    with exactly its decimals (rules.facts.values.well_formed_money, inline)."""
    kind = type(value)
    if kind is dict:
        if len(value) != 2 or value.get("currency") != currency:
            raise NotFast
        value = value.get("amount")
        kind = type(value)
    elif kind is str and " " in value:
        value, _, code = value.partition(" ")
        if code != currency:
            raise NotFast
    if kind is not str:
        money = well_formed_money(value, currency)
        if money is None:
            raise NotFast
        return money
    whole, point, decimals = value.partition(".")
    if not (value.isascii() and whole.isdigit() and len(whole) <= MAX_WHOLE_DIGITS) or (
            point and not decimals.isdigit()):
        raise NotFast
    if len(decimals) != PLACES[currency]:  # fewer decimals are rounded to the currency's
        money = well_formed_money(value, currency)
        if money is None:
            raise NotFast
        return money
    return exact_money(Decimal(value), currency)  # its exponent is the currency's already


def _opt_money(value: Any, currency: str) -> Money | None:
    return None if value is None else _money(value, currency)


def _text(value: Any, default: str | None = None) -> str | None:
    if value is None:
        return default
    if type(value) is not str or len(value) > _MAX_TEXT:
        raise NotFast
    return value


def _count(value: Any, default: int | None = 0, low: int = 0, high: int = MAX_COUNT) -> int | None:
    if value is None:
        return default
    if type(value) is not int or not low <= value <= high:
        raise NotFast
    return value


def _flag(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if type(value) is not bool:
        raise NotFast
    return value


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if type(value) is not str or len(value) != 10:
        raise NotFast
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotFast from None


def _obj(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise NotFast
    return value


def facts_fast(data: Any) -> Facts:
    """Facts from a well-formed JSON document; `NotFast` for anything else."""
    if type(data) is not dict or "usage" in data:  # usage counts: the full reader's
        raise NotFast
    get = data.get
    trigger_name, currency, now_text = get("trigger", "order paid"), get("currency", "USD"), get(
        "now")
    trigger = _TRIGGERS.get(trigger_name) if type(trigger_name) is str else None
    if trigger is None or type(currency) is not str or type(now_text) is not str or not now_text:
        raise NotFast
    try:
        now = datetime.fromisoformat(now_text)
    except ValueError:
        raise NotFast from None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if currency not in PLACES and well_formed_money(0, currency) is None:  # an unknown currency
        raise NotFast  # (a known one's minor units are in PLACES from here on)
    channel = _text(get("channel"), "default-channel")
    order = get("order")
    customer = get("customer")
    contest = get("contest")
    return Facts(
        trigger, now, channel, currency,  # type: ignore[arg-type]
        _order(_obj(order), currency, channel) if order is not None else None,  # type: ignore[arg-type]
        _customer(_obj(customer), currency, now.date()) if customer is not None else None,
        _referral(_obj(get("referral")), currency),
        _contest(contest) if contest else None)


def _order(o: dict[str, Any], currency: str, channel: str) -> OrderFacts:
    raw_lines = o.get("lines") or []
    if type(raw_lines) is not list or len(raw_lines) > _MAX_LINES:
        raise NotFast
    lines = tuple([_line(line, currency) for line in raw_lines])
    total, subtotal = _opt_money(o.get("total"), currency), _opt_money(o.get("subtotal"), currency)
    shipping = _opt_money(o.get("shipping"), currency)
    if total is None or subtotal is None or shipping is None:
        raise NotFast  # worked out from the others: the full reader does that
    return OrderFacts(
        _text(o.get("id"), "order"), currency, total, subtotal, shipping,  # type: ignore[arg-type]
        _text(o.get("channel"), channel), lines, _text(o.get("number")), None,  # type: ignore[arg-type]
        _text(o.get("voucher_code")), _opt_money(o.get("refunded"), currency),
        _flag(o.get("is_paid")))


def _line(raw: Any, currency: str) -> LineFacts:
    if type(raw) is not dict:
        raise NotFast
    get = raw.get
    quantity = get("quantity", 1)
    if type(quantity) is not int or not 0 <= quantity <= MAX_COUNT:
        raise NotFast
    unit, total = _opt_money(get("unit_price"), currency), _opt_money(get("total"), currency)
    collections = get("collections") or []
    if unit is None or total is None or type(collections) is not list:
        raise NotFast  # a figure worked out from the other: the full reader does that
    sku = _text(get("sku"))
    return LineFacts(
        _text(get("product"), sku or "product"), quantity, unit, total, sku,  # type: ignore[arg-type]
        _text(get("name"), ""), _text(get("variant_id")), _text(get("category")),  # type: ignore[arg-type]
        tuple([_text(c, "") for c in collections]) if collections else ())  # type: ignore[misc]


def _customer(c: dict[str, Any], currency: str, today: date) -> CustomerFacts:
    get = c.get
    interval = _count(get("usual_interval_days"), None, high=MAX_DAYS)
    orders = _count(get("orders"))
    last_order = _date(get("last_order"))
    missed = _count(get("periods_missed"), None)
    if missed is None:  # worked out as the app does, from the last order and the usual interval
        missed = periods_missed(today - last_order, timedelta(days=interval)) if (
            last_order is not None and interval) else 0
    return CustomerFacts(
        _text(get("email"), ""), _text(get("id")), _flag(get("is_new"), orders == 0),  # type: ignore[arg-type]
        orders, _count(get("orders_in_channel")),  # type: ignore[arg-type]
        _opt_money(get("total_spent"), currency), _date(get("first_order")), last_order,
        timedelta(days=interval) if interval is not None else None, missed,
        _segment(get("segment")))


def _referral(r: dict[str, Any], currency: str) -> ReferralFacts:
    ref = _obj(r.get("referrer"))
    get = ref.get
    return ReferralFacts(
        _flag(r.get("is_referred")), _text(r.get("code")),
        _count(r.get("days_since"), None, high=MAX_DAYS),
        ReferrerFacts(_text(get("id")), _text(get("email")), _count(get("orders")),  # type: ignore[arg-type]
                      _opt_money(get("total_spent"), currency), _count(get("referrals")),  # type: ignore[arg-type]
                      _count(get("paid_referrals")), _count(get("rewards_this_month")),  # type: ignore[arg-type]
                      _segment(get("segment"))))


_SEGMENT_NAMES = frozenset(SEGMENTS)


def _segment(value: Any) -> str:
    if value is None or value == "":
        return ""
    if type(value) is not str or value not in _SEGMENT_NAMES:
        raise NotFast  # the full reader names what is wrong
    return value


def _contest(_c: Any) -> ContestFacts:
    raise NotFast  # a contest ends once a period: the full reader serves it
