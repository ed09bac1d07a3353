"""Saleor money in payloads (JSON numbers in major units) → exact Decimals and `rules.Money`;
the one place money is read from Saleor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.facts.money import Money
from rules.facts.values import FactsError, fact_money


class PayloadError(ValueError):
    """A Saleor payload that lacks or garbles a value the app needs."""


def to_decimal(amount: Any) -> Decimal:
    """`84.99` (a float parsed from JSON) → `Decimal("84.99")`, through its shortest repr."""
    if isinstance(amount, bool) or amount is None:
        raise PayloadError(f"not an amount: {amount!r}")
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, int | float | str):
        try:
            value = Decimal(str(amount))
        except ArithmeticError as exc:
            raise PayloadError(f"not an amount: {amount!r}") from exc
        if not value.is_finite():
            raise PayloadError(f"not an amount: {amount!r}")
        return value
    raise PayloadError(f"not an amount: {amount!r}")


def amount_or_none(value: Any) -> Decimal | None:
    """The amount of a JSON money number, a Money or a TaxedMoney (its gross); None when absent.

    For the ledger's own figures, which keep what Saleor said even where it breaks the facts'
    rules (those go through `money_from`)."""
    if isinstance(value, dict):
        value = (value.get("gross") or value).get("amount")
    return None if value is None else to_decimal(value)


def amount_of(value: Any) -> Decimal:
    """As `amount_or_none`, with an absent amount read as zero."""
    amount = amount_or_none(value)
    return Decimal(0) if amount is None else amount


def money_from(value: Any, currency: str | None = None, fact: str = "amount") -> Money:
    """`{"amount": 84.99, "currency": "USD"}` → Money; a TaxedMoney gives its gross. The amount
    goes through the rules' one door for money (`fact_money`): finite, zero or more, bounded,
    within the currency's decimals; errors name `fact`."""
    if not isinstance(value, dict):
        raise PayloadError(f"{fact}: not a money object: {value!r}")
    if "gross" in value:  # TaxedMoney: taxes are 0 in the captures, gross is what was paid
        return money_from(value["gross"], currency, fact)
    code = value.get("currency") or currency
    if not isinstance(code, str):
        raise PayloadError(f"{fact}: money without a currency")
    amount = value.get("amount")
    if isinstance(amount, float):  # JSON numbers: their shortest repr is what Saleor wrote
        amount = repr(amount)
    try:
        return fact_money(amount, code, fact)
    except FactsError as exc:
        raise PayloadError(str(exc)) from exc


def optional_money(value: Any, currency: str | None = None, fact: str = "amount") -> Money | None:
    return None if value is None else money_from(value, currency, fact)
