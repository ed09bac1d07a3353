"""Expressions of the checked AST made into closures `(facts, env) -> value`, for the compiler.

Each closure means exactly what the interpreter's `eval` means (it uses the same operations from
`values`); common shapes get a guarded fast path that falls back to the generic operation.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from rules.evaluate.compile_aggregate import LOOPS, Bound, line_total
from rules.evaluate.compile_facts import fact_reader
from rules.evaluate.decision import Percent
from rules.evaluate.values import arithmetic, as_money, compare, negate
from rules.facts import LINE_FIELDS, Facts, Money, MoneyError
from rules.source import EvaluationError
from rules.syntax import ast

Fn = Callable[[Facts, Any], object]

_ORDER = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
          ">": operator.gt, ">=": operator.ge}
_BOOLEAN_NODES = (ast.Compare, ast.BoolLit)


class Node(NamedTuple):
    """A compiled expression; `constant` holds the value when it needs no facts."""

    fn: Fn
    is_constant: bool = False
    constant: object = None


def _constant(value: object) -> Node:
    return Node(lambda _f, _env: value, True, value)


def yields_bool(e: ast.Expr) -> bool:
    """The interpreter's value for `e` is always a real bool (so `bool(...)` can be skipped)."""
    if isinstance(e, _BOOLEAN_NODES):
        return True
    if isinstance(e, ast.Unary) and e.op == "not":
        return True
    if isinstance(e, ast.Binary) and e.op in ("and", "or"):
        return True
    return isinstance(e, ast.Aggregate) and e.func in ("any", "all")


def _mentions(e: ast.Expr | None, test: Callable[[ast.Expr], bool]) -> bool:
    """Whether any node below `e` satisfies `test`."""
    if e is None:
        return False
    if test(e):
        return True
    match e:
        case ast.ListLit(items=items) | ast.Call(args=items):
            return any(_mentions(i, test) for i in items)
        case ast.Unary(operand=operand):
            return _mentions(operand, test)
        case ast.Binary(left=left, right=right) | ast.Compare(left=left, right=right):
            return _mentions(left, test) or _mentions(right, test)
        case ast.Aggregate(item=item, source=source, where=where):
            return any(_mentions(x, test) for x in (item, source, where))
    return False


class ExprCompiler:
    """Compiles expressions for one program; `currency` is the program's (None: from facts)."""

    def __init__(self, currency: str | None) -> None:
        self.currency = currency

    def compile(self, e: ast.Expr, scope: frozenset[str], line_var: str | None = None) -> Node:
        """`scope` holds the names bound in env (lets, aggregate variables). With `line_var`,
        env *is* that variable's line (no dict), used inside aggregates that read nothing else."""
        node = self._compile(e, scope, line_var)
        if node.is_constant or not _is_literal_tree(e):
            return node
        try:  # literal-only subtrees are worked out once; failures stay for run time
            return _constant(node.fn(None, None))  # type: ignore[arg-type]
        except Exception:
            return node

    def _compile(self, e: ast.Expr, scope: frozenset[str], line_var: str | None) -> Node:
        match e:
            case ast.Number(value=value):
                return _constant(value)
            case ast.MoneyLit(amount=amount, currency=currency):
                return Node(lambda _f, _env: Money.of(amount, currency))
            case ast.PercentLit(value=value):
                return _constant(Percent(value))
            case ast.DurationLit(days=days):
                return Node(lambda _f, _env: timedelta(days=days))
            case ast.StringLit(value=value) | ast.DateLit(value=value) | ast.BoolLit(value=value):
                return _constant(value)
            case ast.Name():
                return Node(self.name(e, scope, line_var))
            case ast.ListLit(items=items):
                fns = tuple(self.compile(i, scope, line_var).fn for i in items)
                return Node(lambda f, env: tuple(fn(f, env) for fn in fns))
            case ast.Unary(op="not", operand=operand):
                inner = self.compile(operand, scope, line_var).fn
                return Node(lambda f, env: not inner(f, env))
            case ast.Unary(operand=operand):
                inner = self.compile(operand, scope, line_var).fn
                return Node(lambda f, env: negate(inner(f, env)))
            case ast.Binary(op="and" | "or"):
                return Node(self.logic(e, scope, line_var))
            case ast.Binary():
                return Node(self.arithmetic(e, scope, line_var))
            case ast.Compare():
                return Node(self.compare(e, scope, line_var))
            case ast.Aggregate():
                return Node(self.aggregate(e, scope, line_var))
            case ast.Call(func=func, args=args):
                fns = tuple(self.compile(a, scope, line_var).fn for a in args)
                return Node(_min_max(func, fns))
        name = type(e).__name__

        def unknown(_f, _env):
            raise EvaluationError(f"cannot evaluate {name}")
        return Node(unknown)

    # ---- names
    def name(self, e: ast.Name, scope: frozenset[str], line_var: str | None) -> Fn:
        head, parts = e.parts[0], e.parts
        if head == line_var:
            if len(parts) != 2:
                return lambda _f, line: line
            field = LINE_FIELDS.get(parts[1])
            if field is None:
                return lambda _f, line: LINE_FIELDS[parts[1]][1](line)
            get_field = field[1]
            return lambda _f, line: get_field(line)
        if head in scope:
            if len(parts) != 2:
                return lambda _f, env: env[head]
            field = LINE_FIELDS.get(parts[1])
            if field is None:
                return lambda _f, env: LINE_FIELDS[parts[1]][1](env[head])
            get = field[1]
            return lambda _f, env: get(env[head])
        return fact_reader(e.dotted)

    # ---- operators
    def logic(self, e: ast.Binary, scope: frozenset[str], line_var: str | None) -> Fn:
        """`a and b and c` as one closure: the interpreter's `bool(a) and bool(b)`, nested."""
        parts = _chain(e, e.op)
        fns = []
        for part in parts:
            fn = self.compile(part, scope, line_var).fn
            fns.append(fn if yields_bool(part) else _as_bool(fn))
        return _all_of(fns) if e.op == "and" else _any_of(fns)

    def arithmetic(self, e: ast.Binary, scope: frozenset[str], line_var: str | None) -> Fn:
        op = e.op
        left = self.compile(e.left, scope, line_var)
        right_fn = self.compile(e.right, scope, line_var).fn
        if op == "of" and left.is_constant and isinstance(left.constant, Percent):
            percent = left.constant
            share = percent.value

            def percent_of(f, env):
                base = right_fn(f, env)
                if type(base) is Money:
                    try:
                        return base.percent(share)
                    except Exception:
                        pass  # the generic operation raises the error the interpreter raises
                return arithmetic("of", percent, base)
            return percent_of
        left_fn = left.fn
        if op in ("+", "-"):
            money_op = operator.add if op == "+" else operator.sub

            def add_or_sub(f, env):
                a, b = left_fn(f, env), right_fn(f, env)
                if type(a) is Money and type(b) is Money and a.currency == b.currency:
                    try:
                        return money_op(a, b)
                    except Exception:
                        pass
                return arithmetic(op, a, b)
            return add_or_sub
        return lambda f, env: arithmetic(op, left_fn(f, env), right_fn(f, env))

    def compare(self, e: ast.Compare, scope: frozenset[str], line_var: str | None) -> Fn:
        op = e.op
        left = self.compile(e.left, scope, line_var).fn
        right = self.compile(e.right, scope, line_var)
        if right.is_constant:
            fast = self._compare_constant(op, left, right.constant)
            if fast is not None:
                return fast
        right_fn = right.fn
        test = _ORDER.get(op)
        if test is None:
            return lambda f, env: compare(op, left(f, env), right_fn(f, env))

        def both(f, env):
            a, b = left(f, env), right_fn(f, env)
            if type(a) is Money and type(b) is Money and a.currency == b.currency:
                return test(a.amount, b.amount)
            return compare(op, a, b)
        return both

    def _compare_constant(self, op: str, left: Fn, k: object) -> Fn | None:
        """`x <op> constant`, guarded by the value's type; None when no fast path applies."""
        if op in ("in", "not in"):
            if op == "in":
                return lambda f, env: left(f, env) in k  # type: ignore[operator]
            return lambda f, env: left(f, env) not in k  # type: ignore[operator]
        test = _ORDER[op]
        if isinstance(k, str | date | bool) and op in ("==", "!="):
            return lambda f, env: test(left(f, env), k)
        if isinstance(k, Money):
            currency, amount = k.currency, k.amount

            def with_money(f, env):
                a = left(f, env)
                if type(a) is Money and a.currency == currency:
                    return test(a.amount, amount)
                return compare(op, a, k)
            return with_money
        if isinstance(k, Percent):
            share = k.value

            def with_percent(f, env):
                a = left(f, env)
                if type(a) is Percent:
                    return test(a.value, share)
                return compare(op, a, k)
            return with_percent
        if isinstance(k, int | Decimal) and not isinstance(k, bool):
            return self._compare_number(op, test, left, k)
        return None

    def _compare_number(self, op: str, test, left: Fn, k: int | Decimal) -> Fn:
        # Against money a bare number becomes money in the value's currency (rounded to it).
        currency = self.currency
        try:
            as_amount = Money.of(k, currency).amount if currency else None
        except (MoneyError, ArithmeticError):
            as_amount = None

        def with_number(f, env):
            a = left(f, env)
            kind = type(a)
            if kind is int or kind is Decimal:
                return test(a, k)
            if kind is Money and a.currency == currency and as_amount is not None:
                return test(a.amount, as_amount)
            return compare(op, a, k)
        return with_number

    # ---- aggregates
    def aggregate(self, e: ast.Aggregate, scope: frozenset[str], line_var: str | None) -> Fn:
        source = self.compile(e.source, scope, line_var).fn
        var = e.var
        # Without other bound names inside, the line itself is passed as env (no dict per line).
        direct = not any(
            _mentions(x, lambda n: isinstance(n, ast.Aggregate) or (
                isinstance(n, ast.Name) and n.parts[0] != var and (
                    n.parts[0] in scope or n.parts[0] == line_var)))
            for x in (e.item, e.where))
        inner_scope = scope if direct else scope | {var}
        inner_line = var if direct else None
        where = self.compile(e.where, inner_scope, inner_line).fn if e.where is not None else None
        if e.item is not None:
            item = self.compile(e.item, inner_scope, inner_line).fn
        elif e.func == "sum":  # the short form sums the lines' totals
            item = line_total if direct else (lambda _f, env: env[var].total_price)
        else:
            item = None
        loop = LOOPS[e.func](where, item, e)
        if direct:
            return lambda f, env: loop(f, source(f, env))

        def scoped_loop(f, env):
            return loop(f, Bound(source(f, env), dict(env), var))
        return scoped_loop


def at_least(bound: object, currency: str | None) -> Callable[[object], bool]:
    """`value >= bound` for a constant tier bound, as `compare(">=", value, bound)` decides it."""
    if isinstance(bound, Money):
        bound_currency, bound_amount = bound.currency, bound.amount

        def money_at_least(value: object) -> bool:
            if type(value) is Money and value.currency == bound_currency:
                return value.amount >= bound_amount
            return compare(">=", value, bound)
        return money_at_least
    try:
        as_amount = Money.of(bound, currency).amount if currency else None
    except (MoneyError, ArithmeticError, TypeError):
        as_amount = None

    def number_at_least(value: object) -> bool:
        kind = type(value)
        if (kind is int or kind is Decimal) and kind is not bool:
            return value >= bound  # type: ignore[operator]
        if kind is Money and as_amount is not None and value.currency == currency:  # type: ignore[attr-defined]
            return value.amount >= as_amount  # type: ignore[attr-defined]
        return compare(">=", value, bound)
    return number_at_least


def _chain(e: ast.Expr, op: str) -> list[ast.Expr]:
    """The operands of a left- or right-leaning chain of one logical operator, in order."""
    if isinstance(e, ast.Binary) and e.op == op:
        return _chain(e.left, op) + _chain(e.right, op)
    return [e]


def _as_bool(fn: Fn) -> Fn:
    return lambda f, env: bool(fn(f, env))


def _all_of(fns: list[Fn]) -> Fn:
    if len(fns) == 2:
        a, b = fns
        return lambda f, env: a(f, env) and b(f, env)
    if len(fns) == 3:
        a, b, c = fns
        return lambda f, env: a(f, env) and b(f, env) and c(f, env)
    if len(fns) == 4:
        a, b, c, d = fns
        return lambda f, env: a(f, env) and b(f, env) and c(f, env) and d(f, env)
    if len(fns) == 5:
        a, b, c, d, g = fns
        return lambda f, env: a(f, env) and b(f, env) and c(f, env) and d(f, env) and g(f, env)
    chain = tuple(fns)

    def all_of(f, env):
        for fn in chain:  # noqa: SIM110 (a plain loop is faster than a generator)
            if not fn(f, env):
                return False
        return True
    return all_of


def _any_of(fns: list[Fn]) -> Fn:
    if len(fns) == 2:
        a, b = fns
        return lambda f, env: a(f, env) or b(f, env)
    if len(fns) == 3:
        a, b, c = fns
        return lambda f, env: a(f, env) or b(f, env) or c(f, env)
    chain = tuple(fns)

    def any_of(f, env):
        for fn in chain:  # noqa: SIM110 (a plain loop is faster than a generator)
            if fn(f, env):
                return True
        return False
    return any_of


def _is_literal_tree(e: ast.Expr) -> bool:
    return not _mentions(e, lambda n: isinstance(n, ast.Name | ast.Aggregate))


def _min_max(func: str, fns: tuple[Fn, ...]) -> Fn:
    pick = min if func == "min" else max

    def call(f, env):
        values = [fn(f, env) for fn in fns]
        money = next((v for v in values if isinstance(v, Money)), None)
        if money is not None:
            values = [as_money(v, money.currency) for v in values]
        try:
            return pick(values)  # type: ignore[type-var]
        except MoneyError as exc:
            raise EvaluationError(str(exc)) from exc
    return call
