"""The rules language's syntax tree: frozen dataclasses, every node carries the Span it came from.

Stable contract for the checker, interpreter, formatter and compiler. Expressions are `Expr`,
statements inside a rule body are `Stmt`, top-level items are `Item`. Literals keep exact
`Decimal` values; nothing here is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.facts import Trigger
from rules.source import Span
from rules.syntax.ab_ast import ABTest, Variant  # noqa: F401 - items of this tree, kept apart

# ---- expressions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    """A bare number: Int when it has no fraction, else Decimal; Money where money is expected."""

    value: Decimal
    span: Span


@dataclass(frozen=True, slots=True)
class MoneyLit:
    """`50 USD`."""

    amount: Decimal
    currency: str
    span: Span


@dataclass(frozen=True, slots=True)
class PercentLit:
    """`20%`: value is 20, not 0.2."""

    value: Decimal
    span: Span


@dataclass(frozen=True, slots=True)
class DurationLit:
    """`30 days`, `2 weeks`: kept in days."""

    days: int
    span: Span
    unit: str = "days"  # as written: "days" or "weeks" (for formatting)


@dataclass(frozen=True, slots=True)
class StringLit:
    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class DateLit:
    """`2026-03-01`; value is None when the text is no real date (the checker says so)."""

    value: date | None
    span: Span
    text: str = ""


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    """A fact or `let` name, possibly dotted: `order_total`, `customer.orders`, `line.sku`."""

    parts: tuple[str, ...]
    span: Span

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    """`not x`, `-x`."""

    op: str
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic (`+ - * /`), `of` (percent of money) and logic (`and`, `or`)."""

    op: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Compare:
    """`== != < <= > >= in`, and `not in`."""

    op: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Aggregate:
    """`sum(line.total for line in lines where …)`; the short form `count(lines where …)` binds
    `line`. `item` is None in the short form (count lines / sum line totals / any / all lines)."""

    func: str  # sum | count | any | all
    item: Expr | None
    var: str
    source: Expr
    where: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    """`min(a, b, …)` / `max(a, b, …)`."""

    func: str
    args: tuple[Expr, ...]
    span: Span


Expr = (
    Number | MoneyLit | PercentLit | DurationLit | StringLit | DateLit | BoolLit | Name | ListLit
    | Unary | Binary | Compare | Aggregate | Call
)

# ---- rewards ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RewardSpec:
    """What is given. kind: amount (money, or percent of the order total) | points |
    discount (off this order, checkout only) | voucher (off the next order) | free_shipping |
    free_product."""

    kind: str
    value: Expr | None
    span: Span
    next_order: bool = False
    product: str | None = None


@dataclass(frozen=True, slots=True)
class TierArm:
    """`500+ -> 50 USD`: applies when the subject is at least `bound`; bound None is the
    `else ->` arm."""

    bound: Number | MoneyLit | None
    give: Give
    span: Span


@dataclass(frozen=True, slots=True)
class Tier:
    """`tier order_total: 500+ -> 50 USD, 200+ -> 20 USD`; the first arm reached wins."""

    subject: Expr
    arms: tuple[TierArm, ...]
    span: Span
    block: bool = False  # written one arm per line


@dataclass(frozen=True, slots=True)
class Give:
    """`give referrer 50 USD as gift card hold 30 days after fulfillment`.

    `continued` marks the amount-only continuation of an inline if (`else 20%`), which reuses
    the first give's recipient and modifiers."""

    recipient: str
    reward: RewardSpec | Tier
    span: Span
    delivery: str | None = None  # gift_card | store_credit
    hold_days: int | None = None
    hold_after: str | None = None  # fulfillment | payment
    expires_days: int | None = None
    max_amount: Expr | None = None
    continued: bool = False


# ---- statements -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Let:
    name: str
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Hold:
    """`hold 30 days after fulfillment`: applies to every reward of the rule without its own."""

    days: int
    after: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class Branch:
    condition: Expr
    body: tuple[Stmt, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class If:
    """`if / elif / else`; `inline` when written on one line (`if c give … else 20%`)."""

    branches: tuple[Branch, ...]
    else_body: tuple[Stmt, ...] | None
    span: Span
    inline: bool = False


Stmt = Give | Let | Hold | If

# ---- top-level items --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """`order paid`, `customer asleep for 2 periods`, `first order in channel "eu"`."""

    trigger: Trigger
    span: Span
    periods: int | None = None
    channel: str | None = None
    contest: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """`on <trigger> [when <cond>]: <body>`. Implicit rules come from bare top-level statements
    (trigger order paid)."""

    trigger: TriggerSpec
    when: Expr | None
    body: tuple[Stmt, ...]
    span: Span
    label: str | None = None
    implicit: bool = False
    inline_body: bool = False


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    currency: str | None
    span: Span
    currency_span: Span | None = None


@dataclass(frozen=True, slots=True)
class LimitDecl:
    """`limit referrer 5 rewards per month` (per person, cut by evaluate/limits.py against what
    was already counted) or `limit reward at most 10% of order_total` (per order, applied by
    evaluation)."""

    kind: str  # per_person | per_order
    span: Span
    recipient: str | None = None
    count: int | None = None
    period: str | None = None
    period_span: Span | None = None
    cap: Expr | None = None
    cap_op: str = "<="
    cap_op_span: Span | None = None
    count_span: Span | None = None


@dataclass(frozen=True, slots=True)
class BudgetDecl:
    """`budget 10000 USD per month`: cut by evaluate/limits.py against the money already given."""

    amount: Expr
    span: Span
    period: str | None = None
    period_span: Span | None = None


@dataclass(frozen=True, slots=True)
class CeilingDecl:
    """`ceiling 1000 USD`: no single reward may be more; a larger one goes to review."""

    amount: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Prize:
    first: int
    last: int
    give: Give
    span: Span


@dataclass(frozen=True, slots=True)
class Contest:
    name: str
    start: DateLit
    end: DateLit
    span: Span
    entrants: str | None = None
    entrants_span: Span | None = None
    entrants_where: Expr | None = None
    score: Name | None = None
    minimum: Expr | None = None
    prizes: tuple[Prize, ...] = ()
    ties: str | None = None
    ties_span: Span | None = None


@dataclass(frozen=True, slots=True)
class FactAssign:
    """`order_total = 600 USD`, or a bare `referred` meaning true."""

    path: Name
    value: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class ExampleFacts:
    assigns: tuple[FactAssign, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ExampleLine:
    """`line sku "A" category "shoes" quantity 2 price 50 USD`."""

    attrs: tuple[tuple[str, Expr, Span], ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Expectation:
    """`referrer gets 50 USD`, `referrer gets nothing`, `nothing`, `hint "spend"`."""

    span: Span
    recipient: str | None = None
    give: Give | None = None
    nothing: bool = False
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class ExampleExpect:
    expectations: tuple[Expectation, ...]
    span: Span


ExampleEntry = ExampleFacts | ExampleLine | ExampleExpect


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    trigger: TriggerSpec | None
    entries: tuple[ExampleEntry, ...]
    span: Span


Item = Rule | LimitDecl | BudgetDecl | CeilingDecl | Contest | Example | ABTest


@dataclass(frozen=True, slots=True)
class ProgramNode:
    header: Header | None
    items: tuple[Item, ...]
    span: Span
