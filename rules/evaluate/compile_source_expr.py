"""Expressions of the checked AST as Python source, for the compiled program
(rules/evaluate/compile_source.py).

Only shapes whose meaning is plain are written out: constants, the hot fact reads, a line's
fields, `and` / `or` / `not`, comparisons against a constant (guarded by the value's type, the
generic comparison behind the guard), and `any` / `all` / `sum` over the lines as one loop.
Everything else is the expression's closure from `ExprCompiler`, called from the source.

Nothing from the program's text is written into the source: every literal, name and operator
symbol is either a constant in the function's namespace (`_k12`) or chosen from the fixed tables
below by the node's kind.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rules.evaluate.compile_aggregate import LOOPS
from rules.evaluate.compile_expr import ExprCompiler, at_least, yields_bool
from rules.evaluate.decision import Percent
from rules.evaluate.values import arithmetic, compare
from rules.facts import LINE_FIELDS, Facts, Missing, Money, MoneyError, Type, fact_named
from rules.syntax import ast

# Python's spelling of the language's order comparisons: a fixed table, not the program's text.
_PYTHON_OP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# The hot facts, read as compile_facts.py reads them (a missing order or customer raises
# Missing through `_order(f)` / `_customer(f)`, called only then).
ORDER_SOURCE = "(_o if (_o := f.order) is not None else _order(f))"
_CUSTOMER = "(_c if (_c := f.customer) is not None else _customer(f))"
_FACT_SOURCE = {
    "order_total": f"{ORDER_SOURCE}.total",
    "order_subtotal": f"{ORDER_SOURCE}.subtotal",
    "order_shipping": f"{ORDER_SOURCE}.shipping",
    "lines": f"{ORDER_SOURCE}.lines",
    "channel": "f.channel",
    "referred": "f.referral.is_referred",
    "referrer.orders": "f.referral.referrer.orders",
    "customer.orders": f"{_CUSTOMER}.orders",
    "customer.is_new": f"{_CUSTOMER}.is_new",
    "customer.is_guest": f"({_CUSTOMER}.id is None)",
}
_LINE_SOURCE = {  # a line's fields, as rules.facts.schema.LINE_FIELDS reads them
    "product": "{v}.product", "name": "{v}.product_name", "collections": "{v}.collections",
    "quantity": "{v}.quantity", "unit_price": "{v}.unit_price", "price": "{v}.unit_price",
    "total": "{v}.total_price",
    "sku": "(_p if (_p := {v}.sku) is not None else _present(_p, 'line.sku'))",
    "category": "(_p if (_p := {v}.category) is not None else _present(_p, 'line.category'))",
}
_SAFE_AMOUNT = Decimal(10) ** 18  # as rules/evaluate/compile_aggregate.py: sums that cannot round


def _order(f: Facts) -> Any:
    order = f.order
    if order is None:
        raise Missing("order")
    return order


def _customer(f: Facts) -> Any:
    customer = f.customer
    if customer is None:
        raise Missing("customer")
    return customer


def _present(value: object, what: str) -> object:
    if value is None:
        raise Missing(what)
    return value


def _percent_of(share: Decimal, percent: Percent, base: object) -> object:
    """`20% of base`, as rules/evaluate/compile_expr.py's `percent_of` works it out."""
    if type(base) is Money:
        try:
            return base.percent(share)
        except Exception:
            pass
    return arithmetic("of", percent, base)


BASE_NAMESPACE: dict[str, Any] = {
    "_order": _order, "_customer": _customer, "_present": _present, "_Missing": Missing,
    "_Money": Money, "_Decimal": Decimal, "_compare": compare, "_SAFE": _SAFE_AMOUNT,
    "_ZERO": Decimal(0), "_NO_ENV": {}, "_percent_of": _percent_of,
}


class Source:
    """The text of one generated module and the constants its code reads."""

    def __init__(self, currency: str | None, *, written: bool = True) -> None:
        self.written = written  # False: every expression is its closure, called from the source
        self.exprs = ExprCompiler(currency)
        self.currency = currency
        self.namespace: dict[str, Any] = dict(BASE_NAMESPACE)
        self.helpers: list[str] = []  # top-level functions (aggregate loops, rules)
        self.fixed_pairs: list[int] = []  # ids of the constant (template, amount) pairs
        self._count = 0

    def const(self, value: object) -> str:
        """A namespace name holding `value`."""
        self._count += 1
        name = f"_k{self._count}"
        self.namespace[name] = value
        return name

    def temp(self) -> str:
        self._count += 1
        return f"_t{self._count}"

    # ---- expressions
    def expr(self, e: ast.Expr, line_var: str | None = None) -> str:
        """Python source for `e`'s value; `line_var` is the aggregate variable bound to `_line`."""
        node = self.exprs.compile(e, frozenset(), line_var)
        if node.is_constant:
            return self.const(node.constant)
        written = self._written(e, line_var) if self.written else None
        if written is not None:
            return written
        env = "_line" if line_var is not None else "_NO_ENV"
        return f"{self.const(node.fn)}(f, {env})"

    def boolean(self, e: ast.Expr, line_var: str | None = None) -> str:
        """Source for `bool(e)`, as the interpreter's `and` / `or` / conditions see it."""
        text = self.expr(e, line_var)
        return text if yields_bool(e) else f"(not not {text})"  # bool(), without the call

    def _written(self, e: ast.Expr, line_var: str | None) -> str | None:
        match e:
            case ast.Name(parts=parts):
                if parts[0] == line_var and len(parts) == 2 and parts[1] in _LINE_SOURCE:
                    return _LINE_SOURCE[parts[1]].format(v="_line")
                if line_var is None or parts[0] != line_var:
                    return _FACT_SOURCE.get(e.dotted)
                return None
            case ast.Unary(op="not", operand=operand):
                return f"(not {self.expr(operand, line_var)})"
            case ast.Binary(op="and" | "or"):
                joiner = f" {e.op} "
                return "(" + joiner.join(self.boolean(p, line_var) for p in _chain(e, e.op)) + ")"
            case ast.Compare():
                return self._compare(e, line_var)
            case ast.Binary(op="of", left=left, right=right):
                share = self.exprs.compile(left, frozenset(), line_var)
                if not (share.is_constant and type(share.constant) is Percent):
                    return None
                return (f"_percent_of({self.const(share.constant.value)}, "
                        f"{self.const(share.constant)}, {self.expr(right, line_var)})")
            case ast.Aggregate():
                return self._aggregate(e, line_var)
        return None

    def _compare(self, e: ast.Compare, line_var: str | None) -> str | None:
        right = self.exprs.compile(e.right, frozenset(), line_var)
        if not right.is_constant:
            return None
        k, op = right.constant, e.op
        left = self.expr(e.left, line_var)
        if op in ("in", "not in"):
            return f"({left} {'in' if op == 'in' else 'not in'} {self.const(k)})"
        py_op, t = _PYTHON_OP[op], self.temp()
        if isinstance(k, str | date | bool) and op in ("==", "!="):
            return f"({left} {py_op} {self.const(k)})"
        generic = f"_compare({self.const(op)}, {t}, {self.const(k)})"
        declared = _declared_type(e.left, line_var)  # what the facts' record holds there
        is_number = isinstance(k, int | Decimal) and not isinstance(k, bool)
        if declared is Type.INT and is_number:  # an int field: no money to turn the number into
            return f"({left} {py_op} {self.const(k)})"
        if declared is Type.MONEY and (isinstance(k, Money) or is_number):
            amount, currency = (k.amount, k.currency) if isinstance(k, Money) else (
                self._as_amount(k), self.currency)  # type: ignore[arg-type]
            if amount is not None:  # money in another currency: the generic comparison
                return (f"({t}.amount {py_op} {self.const(amount)} if ({t} := {left}).currency"
                        f" == {self.const(currency)} else {generic})")
        if isinstance(k, Money):
            amount, currency = self.const(k.amount), self.const(k.currency)
            return (f"({t}.amount {py_op} {amount} if type({t} := {left}) is _Money "
                    f"and {t}.currency == {currency} else {generic})")
        if is_number:
            kind, number = self.temp(), self.const(k)
            money = generic
            as_amount = self._as_amount(k)
            if as_amount is not None:  # against money a bare number is money in its currency
                money = (f"({t}.amount {py_op} {self.const(as_amount)} if {kind} is _Money and "
                         f"{t}.currency == {self.const(self.currency)} else {generic})")
            return (f"({t} {py_op} {number} if ({kind} := type({t} := {left})) is int or "
                    f"{kind} is _Decimal else {money})")
        return None

    def _as_amount(self, k: int | Decimal) -> Decimal | None:
        if self.currency is None:
            return None
        try:
            return Money.of(k, self.currency).amount
        except (MoneyError, ArithmeticError):
            return None

    def at_least(self, subject: str, bound: object) -> str:
        """Source for a tier's `subject >= bound` with a constant bound (`compile_expr`)."""
        generic = f"{self.const(at_least(bound, self.currency))}({subject})"
        if isinstance(bound, Money):
            amount, currency = bound.amount, bound.currency
        elif isinstance(bound, int | Decimal) and not isinstance(bound, bool):
            amount, currency = self._as_amount(bound), self.currency  # type: ignore[assignment]
            if amount is None:
                return generic
        else:
            return generic
        return (f"({subject}.amount >= {self.const(amount)} if type({subject}) is _Money and "
                f"{subject}.currency == {self.const(currency)} else {generic})")

    # ---- aggregates over lines: one generated loop each
    def _aggregate(self, e: ast.Aggregate, line_var: str | None) -> str | None:
        if line_var is not None or not _reads_only(e):
            return None  # nested or reading other bound names: the closure handles the scopes
        source = self.expr(e.source, None)
        if e.func in ("any", "all") and e.item is None and e.where is not None:
            name = self._helper_name()
            test = self.expr(e.where, e.var)
            wanted = e.func == "any"
            self.helpers.append(
                f"def {name}(f, lines):\n"
                f"    for _line in lines:\n"
                f"        if {'' if wanted else 'not '}{test}:\n"
                f"            return {wanted}\n"
                f"    return {not wanted}\n")
            return f"{name}(f, {source})"
        if e.func == "sum":
            return self._sum(e, source)
        return None

    def _sum(self, e: ast.Aggregate, source: str) -> str:
        """The compiled `_sum`: amounts of one currency added directly; anything else (mixed
        currencies, numbers, huge amounts) is summed again by the closure's generic loop."""
        inner = frozenset()
        where_fn = self.exprs.compile(e.where, inner, e.var).fn if e.where is not None else None
        item_fn = self.exprs.compile(e.item, inner, e.var).fn if e.item is not None else (
            lambda _f, line: line.total_price)
        again = self.const(LOOPS["sum"](where_fn, item_fn, e))
        item = self.expr(e.item, e.var) if e.item is not None else "_line.total_price"
        skip = f"        if not {self.expr(e.where, e.var)}:\n            continue\n" if (
            e.where is not None) else ""
        money_when_empty = e.item is None or (isinstance(e.item, ast.Name) and (
            e.item.parts[-1] in ("total", "price", "unit_price")))
        empty = "_Money.zero(f.currency)" if money_when_empty else "_ZERO"
        name = self._helper_name()
        self.helpers.append(
            f"def {name}(f, lines):\n"
            f"    amount = None\n"
            f"    for _line in lines:\n"
            f"{skip}"
            f"        value = {item}\n"
            f"        if type(value) is not _Money or not -_SAFE < value.amount < _SAFE:\n"
            f"            return {again}(f, lines)\n"
            f"        if amount is None:\n"
            f"            amount, currency, single = value.amount, value.currency, value\n"
            f"        elif value.currency != currency:\n"
            f"            return {again}(f, lines)\n"
            f"        else:\n"
            f"            amount += value.amount\n"
            f"            single = None\n"
            f"    if amount is None:\n"
            f"        return {empty}\n"
            f"    return single if single is not None else _Money(amount, currency)\n")
        return f"{name}(f, {source})"

    def _helper_name(self) -> str:
        self._count += 1
        return f"_loop{self._count}"


def _declared_type(e: ast.Expr, line_var: str | None) -> Type | None:
    """The type the facts' records declare for a line's field or a hot fact read from them
    directly (written out above), else None: then comparisons check the value's type."""
    if not isinstance(e, ast.Name):
        return None
    if e.parts[0] == line_var:
        field = LINE_FIELDS.get(e.parts[1]) if len(e.parts) == 2 else None
        return field[0] if field is not None else None
    if line_var is None and e.dotted in _FACT_SOURCE:
        found = fact_named(e.dotted)
        return found[1].type if found is not None else None
    return None


def _chain(e: ast.Expr, op: str) -> list[ast.Expr]:
    if isinstance(e, ast.Binary) and e.op == op:
        return _chain(e.left, op) + _chain(e.right, op)
    return [e]


def _reads_only(e: ast.Aggregate) -> bool:
    """Whether the aggregate's item and `where` nest no aggregate: then they read only the
    line and facts (rules with `let` are not written as source), as one loop can."""
    def plain(x: ast.Expr | None) -> bool:
        match x:
            case None:
                return True
            case ast.Aggregate():
                return False
            case ast.ListLit(items=items) | ast.Call(args=items):
                return all(plain(i) for i in items)
            case ast.Unary(operand=operand):
                return plain(operand)
            case ast.Binary(left=left, right=right) | ast.Compare(left=left, right=right):
                return plain(left) and plain(right)
        return True
    return plain(e.item) and plain(e.where)
