"""Money as Decimal in a currency's own minor units, rounded half up; never float."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

_KNOWN_CURRENCIES = frozenset(list_currencies())


class MoneyError(ValueError):
    """An amount or currency that money cannot be made of."""


def is_currency(code: str) -> bool:
    return code in _KNOWN_CURRENCIES


@functools.cache
def minor_units(currency: str) -> int:
    """ISO 4217 decimal places: JPY 0, USD 2, KWD 3."""
    if not is_currency(currency):
        raise MoneyError(f"unknown currency {currency!r}")
    return get_currency_precision(currency)


@functools.cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def to_decimal(value: object) -> Decimal:
    """Exact Decimal from an int, a Decimal or a decimal string; floats are refused."""
    if isinstance(value, (bool, float)):
        raise MoneyError(f"money must not be built from {type(value).__name__}")
    try:
        return Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise MoneyError(f"not a number: {value!r}") from exc


@dataclass(frozen=True, slots=True, init=False)
class Money:
    """An amount in one currency, always rounded to that currency's minor units."""

    amount: Decimal
    currency: str

    def __init__(self, amount: object, currency: str) -> None:
        if type(amount) is not Decimal:
            amount = to_decimal(amount)
        _set_amount(self, amount.quantize(quantum(currency), ROUND_HALF_UP))
        _set_currency(self, currency)

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def percent(self, percent: Decimal | int) -> Money:
        """`20% of 99.99 USD` is 20.00 USD: exact product, then one rounding."""
        share = percent if type(percent) is Decimal else to_decimal(percent)
        currency = self.currency
        money = _new(Money)  # exact_money, inline: the quantized product needs no second rounding
        _set_amount(money, (self.amount * share / 100).quantize(quantum(currency), ROUND_HALF_UP))
        _set_currency(money, currency)
        return money

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


# Stores into a Money's slots without `frozen`'s per-field name lookup (see rules/facts/frozen.py).
_set_amount = vars(Money)["amount"].__set__
_set_currency = vars(Money)["currency"].__set__
_new = object.__new__


def exact_money(amount: Decimal, currency: str) -> Money:
    """Money from an amount already in `currency`'s minor units (a sum or difference of such
    amounts, a quantized figure): no second rounding. The caller vouches for the exponent."""
    money = _new(Money)
    _set_amount(money, amount)
    _set_currency(money, currency)
    return money
