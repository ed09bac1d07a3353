"""The type (and folded constant) of every expression of a program, for the editor's hover.

A checker that records what it types; the plain checker records nothing, so `check` pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rules.checker import Checker, Typed
from rules.evaluate import MAX_SOURCE_CHARS
from rules.facts import Type, is_currency, minor_units
from rules.source import Span
from rules.syntax import ast, parse_recovering

MAX_TYPES = 5_000


@dataclass(frozen=True, slots=True)
class ExprType:
    """One expression: where it is written, its type ("Money (USD)"), its value when constant."""

    span: Span
    type: str
    value: str | None = None


class TypeRecorder(Checker):
    """The checker, keeping `(span, Typed)` of each expression it types (the first typing of a
    span wins; at most `limit`, inner expressions first since they are typed first)."""

    def __init__(self, filename: str, limit: int = MAX_TYPES) -> None:
        super().__init__(filename)
        self.max_recorded = limit
        self.recorded: dict[Span, Typed] = {}

    def expr(self, e: ast.Expr, depth: int = 0) -> Typed:
        typed = super().expr(e, depth)
        if typed.type is not Type.ERROR and len(self.recorded) < self.max_recorded:
            self.recorded.setdefault(e.span, typed)
        return typed


def expression_types(source: str, filename: str = "program.rules",
                     limit: int = MAX_TYPES) -> list[ExprType]:
    """Every expression the checker types, in source order; empty when the program has syntax
    errors (its expressions have no trustworthy spans then). Never raises on bad input."""
    if not isinstance(source, str):
        raise TypeError("source must be str")
    if len(source) > MAX_SOURCE_CHARS or limit <= 0:
        return []
    try:
        node, errors, _rest = parse_recovering(source, filename)
        if node is None or errors:
            return []
        recorder = TypeRecorder(filename, limit)
        outcome = recorder.program(node)
    except RecursionError:
        return []
    currency = outcome.currency if outcome.currency and is_currency(outcome.currency) else None
    found = [ExprType(span, type_name(typed, currency), value_text(typed, currency))
             for span, typed in recorder.recorded.items()]
    return sorted(found, key=lambda t: (t.span.line, t.span.column, -t.span.end_line,
                                                 -t.span.end_column))


def type_name(typed: Typed, currency: str | None) -> str:
    """"Money (USD)", "List of Money", "Percent"…"""
    if typed.type is Type.MONEY and currency:
        return f"Money ({currency})"
    if typed.type is Type.LIST and typed.elem is not None:
        return f"List of {typed.elem}"
    return str(typed.type)


def value_text(typed: Typed, currency: str | None) -> str | None:
    """The folded constant as a merchant writes it: `50 USD`, `10%`, `14 days`, `true`."""
    const = typed.const
    if const is None or not const.is_finite():
        return None
    kind = typed.type
    if kind is Type.BOOL:
        return "true" if const else "false"
    if kind is Type.MONEY:
        amount = _money_amount(const, currency)
        return f"{amount} {currency}" if currency else amount
    if kind is Type.PERCENT:
        return f"{_plain(const)}%"
    if kind is Type.DURATION:
        return f"{_plain(const)} day{'' if const == 1 else 's'}"
    if kind in (Type.INT, Type.DECIMAL):
        return _plain(const)
    return None


def _plain(value: Decimal) -> str:
    """No exponent, no trailing zeros: 5.50 → 5.5, 1E+2 → 100."""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):f}"
    return f"{value.normalize():f}"


def _money_amount(value: Decimal, currency: str | None) -> str:
    """Whole amounts bare (`50`), others with the currency's minor digits (`5.50`) unless the
    value has more digits than that (a share of an amount, kept exact)."""
    if value == value.to_integral_value() or currency is None:
        return _plain(value)
    digits = minor_units(currency)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= digits:
        return f"{value.quantize(Decimal(1).scaleb(-digits)):f}"
    return _plain(value)
