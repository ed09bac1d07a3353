"""The one door money and numbers come through into facts: the CLI's facts files, the dashboard
sandbox, backtests and the app's payload mappers all call these.

An amount is finite decimal digits (ASCII; no exponent, NaN or Infinity), zero or more, below
`MAX_AMOUNT` of the currency's unit, with no more decimals than the currency has. Every error is
a `FactsError` whose message starts with the fact's name (`order.total: …`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rules.facts.money import Money, MoneyError, exact_money, is_currency, minor_units, quantum

MAX_WHOLE_DIGITS = 12
MAX_AMOUNT = Decimal(10) ** MAX_WHOLE_DIGITS  # amounts are below this, in the currency's unit
MAX_COUNT = 10**9  # orders, referrals, ranks, quantities
MAX_DAYS = 100 * 366  # intervals and ages in days
_MAX_TEXT = 64  # characters of an amount as text: more is not an amount facts can hold
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MAX_WHOLE_AMOUNT = 10**MAX_WHOLE_DIGITS
PLACES: dict[str, int] = {}  # known currency -> its minor units, as they are met


class FactsError(ValueError):
    """Facts that do not describe an event; the message names the fact."""


def fact_decimal(value: Any, fact: str) -> Decimal:
    """A finite, bounded decimal number (not money): int, Decimal or decimal text."""
    if isinstance(value, bool) or value is None:
        raise FactsError(f"{fact}: expected a number, got {value!r}")
    if isinstance(value, float):
        raise FactsError(f"{fact}: floats are refused; write the number as a string, "
                         f'e.g. "12.50"')
    if isinstance(value, int):
        number = Decimal(value) if abs(value) < MAX_AMOUNT else None
    elif isinstance(value, Decimal):
        number = value if value.is_finite() else None
    elif isinstance(value, str):
        text = value.strip()
        if not _AMOUNT.fullmatch(text):  # also NaN, Infinity, 1e9, 1_000, non-ASCII digits
            raise FactsError(f"{fact}: {_short(value)!r} is not a number; write digits with an "
                             f'optional decimal point, e.g. "12.50"')
        number = Decimal(text) if len(text) <= _MAX_TEXT else None
    else:
        raise FactsError(f"{fact}: expected a number, got {type(value).__name__}")
    if number is None or abs(number) >= MAX_AMOUNT:
        shown = _short(value)
        raise FactsError(f"{fact}: {shown} is too large: facts hold numbers below "
                         f"{MAX_AMOUNT:,}")
    return number


def well_formed_money(value: Any, currency: Any) -> Money | None:
    """The fast path of `fact_money`: plain decimal text with at most the currency's decimals
    (as Saleor, the app's records and `facts_to_json` write amounts), or a whole number below
    the bound, in a known currency. None for anything else, which `fact_money` then judges in
    full (errors, `12.500` USD, surrounding spaces)."""
    places = PLACES.get(currency) if type(currency) is str else None
    if places is None:
        if type(currency) is not str or not is_currency(currency):
            return None
        places = PLACES.setdefault(currency, minor_units(currency))
    kind = type(value)
    if kind is str:
        whole, point, decimals = value.partition(".")
        if not (value.isascii() and whole.isdigit() and len(whole) <= MAX_WHOLE_DIGITS) or (
                point and not decimals.isdigit()):
            return None
        if len(decimals) == places:  # its exponent is the currency's already
            return exact_money(Decimal(value), currency)
        return Money(Decimal(value), currency) if len(decimals) < places else None
    if kind is int and 0 <= value < _MAX_WHOLE_AMOUNT:
        return Money(value, currency)
    return None


def fact_money(value: Any, currency: str, fact: str) -> Money:
    """`value` (int, Decimal or decimal text) in `currency`, validated (see the module)."""
    money = well_formed_money(value, currency)
    if money is not None:
        return money
    if not isinstance(currency, str) or not is_currency(currency):
        raise FactsError(f"{fact}: unknown currency {currency!r}")
    amount = fact_decimal(value, fact)
    if amount < 0:
        raise FactsError(f"{fact}: {_short(value)} {currency} is negative; amounts in facts are "
                         "zero or more")
    if amount != amount.quantize(quantum(currency)):
        places = minor_units(currency)
        allowed = "no decimals" if places == 0 else f"{places} decimals"
        raise FactsError(f"{fact}: {_short(value)} {currency} has more decimals than {currency} "
                         f"allows ({allowed})")
    try:
        return Money(amount, currency)
    except MoneyError as exc:  # pragma: no cover - the checks above leave nothing to refuse
        raise FactsError(f"{fact}: {exc}") from exc


def fact_count(value: Any, fact: str, *, default: int | None = 0, low: int = 0,
               high: int = MAX_COUNT) -> int | None:
    """A whole number in `low..high` (int or digit text); None/absent gives `default`."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FactsError(f"{fact}: {_short(value)} is not a whole number")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 20 or not re.fullmatch(r"-?[0-9]+", text):
            raise FactsError(f"{fact}: {_short(value)!r} is not a whole number")
        value = int(text)
    if not low <= value <= high:
        raise FactsError(f"{fact}: {_short(value)} is out of range ({low}..{high:,})")
    return value


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"
