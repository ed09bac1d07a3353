"""Type checking of expressions: names, operators, currencies, constants; every error kept."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rules.facts import (
    ALIASES,
    CONTEST_FACTS,
    FACTS,
    LINE_FIELDS,
    NUMERIC,
    ORDER_TRIGGERS,
    Trigger,
    Type,
    fact_named,
    is_currency,
    minor_units,
)
from rules.source import Diagnostic, Span
from rules.syntax import MAX_NESTING, ast

MAX_DEPTH = MAX_NESTING  # blocks: the screen already holds every kind of nesting to it
MAX_EXPRESSION_DEPTH = 100  # `a + b + c …` is no nesting to the eye, but is to the evaluators
MAX_NUMBER = Decimal(10) ** 12
ORDERABLE = frozenset({Type.MONEY, Type.PERCENT, Type.INT, Type.DECIMAL, Type.DATE, Type.DURATION})


@dataclass(frozen=True, slots=True)
class Typed:
    """An expression's type; `const` is its Decimal value when known at check time (numbers,
    money amounts, percents), `elem` the element type of a list."""

    type: Type
    const: Decimal | None = None
    elem: Type | None = None


ERROR = Typed(Type.ERROR)


def _a(t: Type) -> str:
    return f"{'an' if t.value[0] in 'AEIOU' else 'a'} {t}"


class ExprChecker:
    """Mixin: expects `diagnostics`, `filename`, `header_currency`, `scopes`, `trigger` on self."""

    diagnostics: list[Diagnostic]
    filename: str
    header_currency: str | None
    inferred_currency: str | None
    scopes: list[dict[str, Type]]
    trigger: object
    reads_order: bool

    # ---- reporting
    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.at(span, message, hint=hint, filename=self.filename))

    def warn(self, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            Diagnostic.at(span, message, severity="warning", hint=hint, filename=self.filename)
        )

    # ---- helpers
    def lookup_scope(self, name: str) -> Type | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def suggest(self, word: str, candidates: list[str]) -> str | None:
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        return f"did you mean `{close[0]}`?" if close else None

    def check_currency(self, currency: str, span: Span) -> None:
        if not is_currency(currency):
            self.error(span, f"unknown currency `{currency}`", "use an ISO 4217 code such as USD")
            return
        expected = self.header_currency or self.inferred_currency
        if expected is None:
            self.inferred_currency = currency
        elif currency != expected:
            if self.header_currency:
                self.error(
                    span, f"this amount is in {currency} but the program's currency is {expected}",
                    f"write the amount in {expected}",
                )
            else:
                self.error(span, f"mixing currencies: {expected} and {currency}",
                           "a program uses one currency")

    def number_ok(self, value: Decimal, span: Span) -> bool:
        if abs(value) >= MAX_NUMBER:
            self.error(span, "number too large", "amounts must stay below 1,000,000,000,000")
            return False
        return True

    # ---- expressions
    def expr(self, e: ast.Expr, depth: int = 0) -> Typed:
        if depth > MAX_EXPRESSION_DEPTH:
            self.error(e.span, f"this expression is too long: more than {MAX_EXPRESSION_DEPTH} "
                               "operators deep", "name parts of it with `let`")
            return ERROR
        return _DISPATCH[type(e)](self, e, depth)

    def _number(self, e: ast.Number, depth: int) -> Typed:
        self.number_ok(e.value, e.span)
        integral = e.value == e.value.to_integral_value()
        return Typed(Type.INT if integral else Type.DECIMAL, e.value)

    def _money(self, e: ast.MoneyLit, depth: int) -> Typed:
        if not self.number_ok(e.amount, e.span):
            return ERROR
        self.check_currency(e.currency, e.span)
        if is_currency(e.currency) and -e.amount.as_tuple().exponent > minor_units(e.currency):
            self.error(e.span, f"{e.currency} amounts have at most "
                               f"{minor_units(e.currency)} decimal places")
        return Typed(Type.MONEY, e.amount)

    def _percent(self, e: ast.PercentLit, depth: int) -> Typed:
        self.number_ok(e.value, e.span)
        return Typed(Type.PERCENT, e.value)

    def _duration(self, e: ast.DurationLit, depth: int) -> Typed:
        if e.days < 0:
            self.error(e.span, "a duration is a whole number of days or weeks")
        return Typed(Type.DURATION, Decimal(max(e.days, 0)))

    def _string(self, e: ast.StringLit, depth: int) -> Typed:
        return Typed(Type.STRING)

    def _date(self, e: ast.DateLit, depth: int) -> Typed:
        if e.value is None:
            self.error(e.span, f"`{e.text}` is not a date")
        return Typed(Type.DATE)

    def _bool(self, e: ast.BoolLit, depth: int) -> Typed:
        return Typed(Type.BOOL, Decimal(int(e.value)))

    def _name(self, e: ast.Name, depth: int) -> Typed:
        return self.name(e)

    def _list(self, e: ast.ListLit, depth: int) -> Typed:
        return self.list_lit(e, e.items, depth)

    def _unary(self, e: ast.Unary, depth: int) -> Typed:
        if e.op == "not":
            self.expect_bool(e.operand, depth + 1)
            return Typed(Type.BOOL)
        inner = self.expr(e.operand, depth + 1)
        if inner.type is Type.ERROR:
            return ERROR
        if inner.type not in NUMERIC | {Type.MONEY, Type.PERCENT, Type.DURATION}:
            self.error(e.span, f"cannot negate {_a(inner.type)}")
            return ERROR
        return Typed(inner.type, -inner.const if inner.const is not None else None)

    def _binary(self, e: ast.Binary, depth: int) -> Typed:
        if e.op in ("and", "or"):
            self.expect_bool(e.left, depth + 1)
            self.expect_bool(e.right, depth + 1)
            return Typed(Type.BOOL)
        return self.arithmetic(e, depth)

    def expect_bool(self, e: ast.Expr, depth: int = 0) -> Typed:
        typed = self.expr(e, depth)
        if typed.type not in (Type.BOOL, Type.ERROR):
            hint = "compare it, e.g. `order_total > 100 USD`" if typed.type == Type.MONEY else None
            self.error(e.span, f"expected a condition (Bool), found {typed.type}", hint)
        return typed

    def name(self, e: ast.Name) -> Typed:
        head = e.parts[0]
        bound = self.lookup_scope(head)
        if bound is Type.LINE:
            if len(e.parts) == 1:
                return Typed(Type.LINE)
            field = LINE_FIELDS.get(e.parts[1]) if len(e.parts) == 2 else None
            if field is None:
                self.error(e.span, f"a line has no field `{'.'.join(e.parts[1:])}`",
                           self.suggest(e.parts[-1], list(LINE_FIELDS)))
                return ERROR
            return Typed(field[0])
        if bound is not None:
            if len(e.parts) > 1:
                self.error(e.span, f"`{head}` is a value, it has no field `{e.parts[1]}`")
                return ERROR
            return Typed(bound)
        found = fact_named(e.dotted)
        if found is None:
            scope_names = [n for scope in self.scopes for n in scope]
            candidates = [*FACTS, *ALIASES, *scope_names]
            if head == "line":
                hint = "`line` exists only inside an aggregate, e.g. `count(lines where …)`"
            else:
                hint = self.suggest(e.dotted, candidates)
            self.error(e.span, f"unknown name `{e.dotted}`", hint)
            return ERROR
        canonical, fact = found
        if canonical in CONTEST_FACTS and self.trigger is not None and (
                self.trigger is not Trigger.CONTEST_END):
            self.error(e.span, f"`{canonical}` exists only in `on contest end` rules")
            return ERROR
        if fact.needs_order and self.trigger is not None and self.trigger not in ORDER_TRIGGERS:
            self.reads_order = True
        return Typed(fact.type)

    def list_lit(self, e: ast.ListLit, items: tuple[ast.Expr, ...], depth: int) -> Typed:
        types = [self.expr(i, depth + 1) for i in items]
        known = [t.type for t in types if t.type is not Type.ERROR]
        if not known:
            return Typed(Type.LIST, elem=None)
        elem = Type.MONEY if Type.MONEY in known else known[0]
        for item, typed in zip(items, types, strict=True):
            if typed.type is Type.ERROR or self.compatible(elem, typed):
                continue
            self.error(item.span, f"a list holds one type: expected {elem}, found {typed.type}")
        return Typed(Type.STRINGS if elem is Type.STRING else Type.LIST, elem=elem)

    def compatible(self, want: Type, got: Typed) -> bool:
        """`got` can stand where `want` is expected (numbers widen; constants become money)."""
        if want == got.type:
            return True
        if want in NUMERIC and got.type in NUMERIC:
            return True
        return want is Type.MONEY and got.type in NUMERIC and got.const is not None

    def arithmetic(self, e: ast.Binary, depth: int) -> Typed:
        left, right = self.expr(e.left, depth + 1), self.expr(e.right, depth + 1)
        lt, rt, op = left.type, right.type, e.op
        if Type.ERROR in (lt, rt):
            return ERROR
        const = _fold(op, left.const, right.const)
        if op == "of":
            if lt is not Type.PERCENT:
                self.error(e.left.span, f"`of` takes a percent on its left, found {lt}",
                           "e.g. `10% of order_subtotal`")
                return ERROR
            if rt is Type.MONEY or rt in NUMERIC:
                return Typed(rt if rt is Type.MONEY else Type.DECIMAL, const)
            self.error(e.right.span, f"expected Money after `of`, found {rt}")
            return ERROR
        if op in ("+", "-"):
            if lt == rt and lt in (Type.MONEY, Type.PERCENT, Type.DURATION, Type.INT, Type.DECIMAL):
                return Typed(lt, const)
            if lt in NUMERIC and rt in NUMERIC:
                return Typed(Type.DECIMAL, const)
            if (lt is Type.MONEY and rt in NUMERIC and right.const is not None) or (
                rt is Type.MONEY and lt in NUMERIC and left.const is not None
            ):
                return Typed(Type.MONEY, const)
            if lt is Type.DATE and rt is Type.DURATION:
                return Typed(Type.DATE)
            if op == "-" and lt is Type.DATE and rt is Type.DATE:
                return Typed(Type.DURATION)
            verb = "add" if op == "+" else "subtract"
            hint = None
            if Type.PERCENT in (lt, rt) and Type.MONEY in (lt, rt):
                hint = "take a percent of an amount with `of`, e.g. `20% of order_total`"
            elif Type.MONEY in (lt, rt) and (lt in NUMERIC or rt in NUMERIC):
                hint = "write the amount with its currency, e.g. `5 USD`"
            self.error(e.span, f"cannot {verb} {rt} {'to' if op == '+' else 'from'} {lt}", hint)
            return ERROR
        if op == "*":
            pair = {lt, rt}
            if lt in NUMERIC and rt in NUMERIC:
                return Typed(Type.INT if lt == rt == Type.INT else Type.DECIMAL, const)
            if Type.MONEY in pair and (pair - {Type.MONEY}) <= NUMERIC | {Type.PERCENT} and (
                len(pair) == 2
            ):
                return Typed(Type.MONEY, None)
            if Type.PERCENT in pair and len(pair) == 2 and (pair - {Type.PERCENT}) <= NUMERIC:
                return Typed(Type.PERCENT, const)
            if Type.DURATION in pair and Type.INT in pair:
                return Typed(Type.DURATION)
            self.error(e.span, f"cannot multiply {lt} by {rt}")
            return ERROR
        # division
        if right.const is not None and right.const == 0:
            self.error(e.right.span, "division by zero")
            return ERROR
        if lt in NUMERIC and rt in NUMERIC:
            return Typed(Type.DECIMAL, const)
        if lt in (Type.MONEY, Type.PERCENT) and rt in NUMERIC:
            return Typed(lt, const)
        if lt is Type.MONEY and rt is Type.MONEY:
            return Typed(Type.DECIMAL, const)
        self.error(e.span, f"cannot divide {lt} by {rt}")
        return ERROR

    def compare(self, e: ast.Compare, depth: int) -> Typed:
        left, right = self.expr(e.left, depth + 1), self.expr(e.right, depth + 1)
        lt, rt = left.type, right.type
        if Type.ERROR in (lt, rt):
            return Typed(Type.BOOL)
        if e.op in ("in", "not in"):
            if rt is Type.STRING and lt is Type.STRING:
                return Typed(Type.BOOL)
            if rt in (Type.LIST, Type.STRINGS):
                elem = right.elem
                fits = elem is None or self.compatible(elem, left) or self.compatible(
                    lt, Typed(elem))
                if not fits:
                    self.error(e.span, f"cannot look for {_a(lt)} in a list of {elem}")
                return Typed(Type.BOOL)
            self.error(e.right.span, f"`{e.op}` needs a list or a string on its right, found {rt}",
                       'e.g. `channel in ["default", "eu"]`')
            return Typed(Type.BOOL)
        same = self.compatible(lt, right) or self.compatible(rt, left)
        if not same:
            hint = None
            if Type.MONEY in (lt, rt) and (lt in NUMERIC or rt in NUMERIC):
                hint = "compare amounts with amounts, e.g. `500 USD`"
            self.error(e.span, f"cannot compare {lt} with {rt}", hint)
        elif e.op not in ("==", "!=") and lt not in ORDERABLE:
            self.error(e.span, f"{lt} values cannot be ordered with `{e.op}`")
        return Typed(Type.BOOL)

    def aggregate(self, e: ast.Aggregate, depth: int) -> Typed:
        source = self.expr(e.source, depth + 1)
        if source.type not in (Type.LINES, Type.ERROR):
            self.error(e.source.span, f"`{e.func}` ranges over `lines`, found {source.type}")
        self.scopes.append({e.var: Type.LINE})
        try:
            if e.where is not None:
                self.expect_bool(e.where, depth + 1)
            if e.item is None:
                result = {"sum": Type.MONEY, "count": Type.INT}.get(e.func, Type.BOOL)
                return Typed(result)
            if e.func == "sum":
                item = self.expr(e.item, depth + 1)
                if item.type not in (Type.MONEY, Type.INT, Type.DECIMAL, Type.ERROR):
                    self.error(e.item.span, f"`sum` adds amounts or numbers, found {item.type}")
                    return ERROR
                return Typed(item.type)
            self.expect_bool(e.item, depth + 1)
            return Typed(Type.INT if e.func == "count" else Type.BOOL)
        finally:
            self.scopes.pop()

    def call(self, e: ast.Call, depth: int) -> Typed:
        args = [self.expr(a, depth + 1) for a in e.args]
        known = [a for a in args if a.type is not Type.ERROR]
        if len(known) != len(args):
            return ERROR
        kind = Type.MONEY if any(a.type is Type.MONEY for a in known) else known[0].type
        for node, arg in zip(e.args, known, strict=True):
            if not (self.compatible(kind, arg) or (kind in NUMERIC and arg.type in NUMERIC)):
                self.error(node.span, f"`{e.func}` compares like with like: {kind} and {arg.type}")
                return ERROR
        if kind not in ORDERABLE:
            self.error(e.span, f"`{e.func}` needs amounts, numbers, percents, dates or durations")
            return ERROR
        consts = [a.const for a in known]
        const = None
        if all(c is not None for c in consts):
            const = min(consts) if e.func == "min" else max(consts)  # type: ignore[type-var]
        return Typed(kind, const)


_DISPATCH = {
    ast.Number: ExprChecker._number,
    ast.MoneyLit: ExprChecker._money,
    ast.PercentLit: ExprChecker._percent,
    ast.DurationLit: ExprChecker._duration,
    ast.StringLit: ExprChecker._string,
    ast.DateLit: ExprChecker._date,
    ast.BoolLit: ExprChecker._bool,
    ast.Name: ExprChecker._name,
    ast.ListLit: ExprChecker._list,
    ast.Unary: ExprChecker._unary,
    ast.Binary: ExprChecker._binary,
    ast.Compare: lambda self, e, depth: self.compare(e, depth),  # mixins may refine it
    ast.Aggregate: ExprChecker.aggregate,
    ast.Call: ExprChecker.call,
}


def _fold(op: str, left: Decimal | None, right: Decimal | None) -> Decimal | None:
    if left is None or right is None:
        return None
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return left / right if right != 0 else None
        if op == "of":
            return left * right / 100
    except InvalidOperation:
        return None
    return None

