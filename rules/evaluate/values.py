"""Run-time operations on the language's values: Money, Percent, numbers, dates, durations.

The checker has already ruled out ill-typed combinations; what is left here is the meaning,
including how a bare number becomes money in the currency it meets.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from rules.evaluate.decision import Percent
from rules.facts import Missing, Money, MoneyError
from rules.source import EvaluationError

Number = int | Decimal


def is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def as_money(value: object, currency: str) -> Money:
    if isinstance(value, Money):
        return value
    return Money.of(value, currency)


def arithmetic(op: str, a: object, b: object) -> object:
    try:
        if op == "of":
            assert isinstance(a, Percent)
            if isinstance(b, Money):
                return b.percent(a.value)
            return Decimal(b) * a.value / 100
        if isinstance(a, Money) or isinstance(b, Money):
            return _money_op(op, a, b)
        if isinstance(a, Percent) or isinstance(b, Percent):
            return _percent_op(op, a, b)
        if isinstance(a, date) or isinstance(b, date) or isinstance(a, timedelta):
            return _time_op(op, a, b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise Missing("division by zero")
        return Decimal(a) / Decimal(b)
    except MoneyError as exc:
        raise EvaluationError(str(exc)) from exc
    except (InvalidOperation, OverflowError) as exc:
        raise EvaluationError(f"arithmetic out of range: {exc}") from exc


def _money_op(op: str, a: object, b: object) -> object:
    currency = a.currency if isinstance(a, Money) else b.currency  # type: ignore[union-attr]
    if op in ("+", "-"):
        left, right = as_money(a, currency), as_money(b, currency)
        return left + right if op == "+" else left - right
    if op == "*":
        money, other = (a, b) if isinstance(a, Money) else (b, a)
        if isinstance(other, Percent):
            return money.percent(other.value)
        return Money(money.amount * Decimal(other), currency)
    # division
    if isinstance(b, Money):
        if b.amount == 0:
            raise Missing("division by zero")
        return a.amount / b.amount  # type: ignore[union-attr]
    if b == 0:
        raise Missing("division by zero")
    return Money(a.amount / Decimal(b), currency)  # type: ignore[union-attr]


def _percent_op(op: str, a: object, b: object) -> Percent:
    if op in ("+", "-"):
        value = a.value + b.value if op == "+" else a.value - b.value  # type: ignore[union-attr]
        return Percent(value)
    if op == "*":
        percent, factor = (a, b) if isinstance(a, Percent) else (b, a)
        return Percent(percent.value * Decimal(factor))
    if b == 0:
        raise Missing("division by zero")
    return Percent(a.value / Decimal(b))  # type: ignore[union-attr]


def _time_op(op: str, a: object, b: object) -> object:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * int(b) if isinstance(a, timedelta) else b * int(a)
    raise EvaluationError("durations cannot be divided")


def negate(value: object) -> object:
    if isinstance(value, Percent):
        return Percent(-value.value)
    return -value  # type: ignore[operator]


def _comparable(a: object, b: object) -> tuple[object, object]:
    if isinstance(a, Money) and is_number(b):
        return a, as_money(b, a.currency)
    if isinstance(b, Money) and is_number(a):
        return as_money(a, b.currency), b
    if isinstance(a, Percent) and isinstance(b, Percent):
        return a.value, b.value
    return a, b


def compare(op: str, a: object, b: object) -> bool:
    if op in ("in", "not in"):
        found = a in b  # type: ignore[operator]
        return found if op == "in" else not found
    a, b = _comparable(a, b)
    try:
        match op:
            case "==":
                return a == b
            case "!=":
                return a != b
            case "<":
                return a < b  # type: ignore[operator]
            case "<=":
                return a <= b  # type: ignore[operator]
            case ">":
                return a > b  # type: ignore[operator]
            case ">=":
                return a >= b  # type: ignore[operator]
    except MoneyError as exc:
        raise EvaluationError(str(exc)) from exc
    raise EvaluationError(f"unknown comparison {op}")


def show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        if len(value) > 5:
            return f"{len(value)} items"
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, timedelta):
        return f"{value.days} days"
    return str(value)
