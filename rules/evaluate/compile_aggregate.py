"""Compiled aggregates over an order's lines: `any`, `all`, `count` and `sum` loops.

Each loop receives the line iterable (or `Bound` envs) and compiled `where` / item closures, and
computes what the interpreter's `aggregate` computes, in the same order of evaluation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.evaluate.values import arithmetic
from rules.facts import Facts, Money
from rules.syntax import ast

Fn = Any  # (facts, env) -> value; see rules.evaluate.compile_expr.Fn
# Sums of money add amounts directly while every amount stays this small: far from the 28
# digits of the Decimal context, so no partial sum can round (the generic path would raise).
_SAFE_AMOUNT = Decimal(10) ** 18


class _Fallback(Exception):
    """A fast path met a value it does not handle; the generic path recomputes."""


def _sums_money(item: ast.Expr | None) -> bool:
    """Whether an empty `sum` is money (as the interpreter decides it)."""
    return item is None or (isinstance(item, ast.Name)
                            and item.parts[-1] in ("total", "price", "unit_price"))


def line_total(_f: Facts, line: Any) -> object:
    return line.total_price


class Bound:
    """Lines seen through an env dict: iterating binds the variable and yields the dict, so one
    loop serves both modes. Iterable again (a sum's fallback walks the lines twice)."""

    __slots__ = ("lines", "scoped", "var")

    def __init__(self, lines: Any, scoped: dict, var: str) -> None:
        self.lines, self.scoped, self.var = lines, scoped, var

    def __iter__(self):
        scoped, var = self.scoped, self.var
        for line in self.lines:
            scoped[var] = line
            yield scoped


def _any_all(where: Fn | None, item: Fn | None, e: ast.Aggregate):
    if item is None:  # the short form: the `where` is the test
        if where is None:
            if e.func == "any":
                return lambda _f, lines: next(iter(lines), _NONE) is not _NONE
            return lambda _f, _lines: True
        if e.func == "any":
            def any_where(f, lines):
                for line in lines:  # noqa: SIM110 (a plain loop is faster than a generator)
                    if where(f, line):
                        return True
                return False
            return any_where

        def all_where(f, lines):
            for line in lines:  # noqa: SIM110 (a plain loop is faster than a generator)
                if not where(f, line):
                    return False
            return True
        return all_where
    wanted = e.func == "any"

    def long_form(f, lines):
        for line in lines:
            if where is not None and not where(f, line):
                continue
            if bool(item(f, line)) is wanted:
                return wanted
        return not wanted
    return long_form


_NONE = object()


def _count(where: Fn | None, item: Fn | None, _e: ast.Aggregate):
    def count(f, lines):
        total = 0
        for line in lines:
            if where is not None and not where(f, line):
                continue
            total += 1 if item is None or item(f, line) else 0
        return total
    return count


def _sum(where: Fn | None, item: Fn, e: ast.Aggregate):
    money_when_empty = _sums_money(e.item)

    def generic(f, lines):
        total: object = None
        for line in lines:
            if where is not None and not where(f, line):
                continue
            value = item(f, line)
            total = value if total is None else arithmetic("+", total, value)
        return total

    def fast(f, lines):
        amount, currency, single = None, None, None
        for line in lines:
            if where is not None and not where(f, line):
                continue
            value = item(f, line)
            if type(value) is not Money or not -_SAFE_AMOUNT < value.amount < _SAFE_AMOUNT:
                raise _Fallback
            if amount is None:
                amount, currency, single = value.amount, value.currency, value
            elif value.currency != currency:
                raise _Fallback
            else:
                amount += value.amount
                single = None
        if amount is None:
            return None
        return single if single is not None else Money(amount, currency)  # type: ignore[arg-type]

    def summed(f, lines):
        try:
            total = fast(f, lines)
        except _Fallback:  # not all money of one currency: add the way the interpreter adds
            total = generic(f, lines)
        if total is None:
            return Money.zero(f.currency) if money_when_empty else Decimal(0)
        return total
    return summed


LOOPS = {"any": _any_all, "all": _any_all, "count": _count, "sum": _sum}
