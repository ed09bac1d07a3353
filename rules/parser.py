"""The only module that touches Lark: a cached LALR parser that builds the AST while parsing.

Spans come from tokens (no `propagate_positions`), the Transformer runs inline, top-level items
are parsed (and cached) one by one, and every Lark failure becomes a `Diagnostic` named by
example (as Lark's `match_examples` does), never a token dump.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.indenter import DedentError, Indenter

from grammar import load_grammar
from rules import ast
from rules.facts import Trigger
from rules.source import Diagnostic, Span
from rules.syntax_errors import SYNTAX_EXAMPLES, describe_expected

_ESCAPE = re.compile(r"\\(.)")


class _RulesIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB"]
    CLOSE_PAREN_types = ["RPAR", "RSQB"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


def _span(item: object) -> Span:
    if isinstance(item, Token):
        return Span(item.line, item.column, item.end_line, item.end_column)
    if isinstance(item, Span):
        return item
    return item.span  # type: ignore[attr-defined]


def _cover(first: object, last: object) -> Span:
    return _span(first).to(_span(last))


def _unquote(token: Token) -> str:
    return _ESCAPE.sub(lambda m: m.group(1), str(token)[1:-1])


def _int(token: Token) -> int:
    """Whole numbers where the grammar wants a count; fractions are the checker's to report."""
    value = Decimal(str(token))
    return int(value) if value == value.to_integral_value() and len(str(token)) < 12 else -1


class _Body:
    __slots__ = ("inline", "stmts")

    def __init__(self, stmts: tuple, inline: bool) -> None:
        self.stmts = stmts
        self.inline = inline


class _Mod:
    __slots__ = ("kind", "span", "values")

    def __init__(self, kind: str, span: Span, *values: object) -> None:
        self.kind, self.span, self.values = kind, span, values


class _Part:
    """A reward spec with its modifiers, before the recipient is known (tiers, continuations)."""

    __slots__ = ("bound", "mods", "reward", "span")

    def __init__(self, reward: object, mods: list, span: Span, bound: object = None) -> None:
        self.reward, self.mods, self.span, self.bound = reward, mods, span, bound


class _Bare:
    __slots__ = ("stmt",)

    def __init__(self, stmt: object) -> None:
        self.stmt = stmt


def _make_give(recipient: Token, reward: object, mods: list, span: Span, **extra) -> ast.Give:
    fields: dict[str, object] = {}
    for mod in mods:
        if mod.kind == "delivery":
            fields["delivery"] = mod.values[0]
        elif mod.kind == "hold":
            fields["hold_days"], fields["hold_after"] = mod.values
        elif mod.kind == "expires":
            fields["expires_days"] = mod.values[0]
        elif mod.kind == "max":
            fields["max_amount"] = mod.values[0]
    end = mods[-1].span if mods else _span(reward)
    return ast.Give(str(recipient), reward, span.to(end), **fields, **extra)


def _tier(recipient: Token, tier_token: Token, subject: object, parts: list, block: bool):
    arms = tuple(
        ast.TierArm(p.bound, _make_give(recipient, p.reward, p.mods, p.span), p.span) for p in parts
    )
    return ast.Tier(subject, arms, _span(tier_token).to(parts[-1].span), block)


_ORDER_TRIGGERS = {
    "created": Trigger.ORDER_CREATED,
    "paid": Trigger.ORDER_PAID,
    "fulfilled": Trigger.ORDER_FULFILLED,
    "cancelled": Trigger.ORDER_CANCELLED,
    "canceled": Trigger.ORDER_CANCELLED,
    "refunded": Trigger.ORDER_REFUNDED,
}


class _ToAst(Transformer):
    """Lark tree → `rules.ast`, run inline by the LALR parser."""

    # ---- program structure
    def program(self, children):
        header = children[0] if children and isinstance(children[0], ast.Header) else None
        items: list = []
        pending: list = []

        def flush() -> None:
            if pending:
                first, last = pending[0], pending[-1]
                trigger = ast.TriggerSpec(Trigger.ORDER_PAID, first.span)
                items.append(
                    ast.Rule(trigger, None, tuple(pending), first.span.to(last.span), implicit=True)
                )
                pending.clear()

        for child in children[1 if header else 0 :]:
            if isinstance(child, _Bare):
                pending.append(child.stmt)
            else:
                flush()
                items.append(child)
        flush()
        start = header.span if header else items[0].span if items else Span(1, 1, 1, 1)
        end = items[-1].span if items else start
        return ast.ProgramNode(header, tuple(items), start.to(end))

    def bare_stmt(self, children):
        return _Bare(children[0])

    def header(self, children):
        currency = children[1] if len(children) > 1 else None
        return ast.Header(
            _unquote(children[0]),
            str(currency) if currency else None,
            _cover(children[0], currency or children[0]),
            _span(currency) if currency else None,
        )

    def rule(self, children):
        label, start = None, children[0]
        if children[0].type == "STRING":
            label = _unquote(children[0])
            children = children[1:]
        on, trigger, *rest = children
        body = rest[-1]
        when = rest[0] if len(rest) == 2 else None
        end = body.stmts[-1].span if body.stmts else trigger.span
        return ast.Rule(
            trigger, when, body.stmts, _span(start if label else on).to(end), label=label,
            inline_body=body.inline,
        )

    def t_checkout(self, c):
        return ast.TriggerSpec(Trigger.CHECKOUT, _span(c[0]))

    def t_order(self, c):
        return ast.TriggerSpec(_ORDER_TRIGGERS[str(c[1])], _cover(c[0], c[1]))

    def t_customer_created(self, c):
        return ast.TriggerSpec(Trigger.CUSTOMER_CREATED, _cover(c[0], c[1]))

    def t_customer_asleep(self, c):
        periods = _int(c[2]) if len(c) > 2 else None
        return ast.TriggerSpec(Trigger.CUSTOMER_ASLEEP, _cover(c[0], c[-1]), periods=periods)

    def t_first_order(self, c):
        channel = _unquote(c[-1]) if c[-1].type == "STRING" else None
        return ast.TriggerSpec(Trigger.FIRST_ORDER_IN_CHANNEL, _cover(c[0], c[-1]), channel=channel)

    def t_contest_end(self, c):
        contest = _unquote(c[2]) if len(c) > 2 else None
        return ast.TriggerSpec(Trigger.CONTEST_END, _cover(c[0], c[-1]), contest=contest)

    def block(self, children):
        return _Body(tuple(children), inline=False)

    def inline_block(self, children):
        return _Body(tuple(children), inline=True)

    # ---- statements
    def let_stmt(self, c):
        return ast.Let(str(c[0]), c[1], _cover(c[0], c[1]))

    def hold_stmt(self, c):
        after = str(c[3]) if len(c) > 3 else None
        return ast.Hold(_int(c[1]), after, _cover(c[0], c[-1]))

    def if_block(self, c):
        if_token, condition, body, *rest = c
        branches = [ast.Branch(condition, body.stmts, _cover(if_token, body.stmts[-1]))]
        else_body = None
        for part in rest:
            if isinstance(part, ast.Branch):
                branches.append(part)
            else:
                else_body = part.stmts
        last = else_body[-1] if else_body else branches[-1]
        return ast.If(tuple(branches), else_body, _cover(if_token, last))

    def elif_block(self, c):
        return ast.Branch(c[0], c[1].stmts, _cover(c[0], c[1].stmts[-1]))

    def else_block(self, c):
        return c[0]

    def inline_if(self, c):
        if_token, condition, first, *rest = c
        branches = [ast.Branch(condition, (first,), _cover(if_token, first))]
        else_body = None
        for kind, cond, what, span in rest:
            if isinstance(what, _Part):
                what = _make_give(
                    first.recipient, what.reward, what.mods, what.span, continued=True
                )
                what = _inherit(first, what)
            if kind == "elif":
                branches.append(ast.Branch(cond, (what,), span))
            else:
                else_body = (what,)
        last = else_body[0] if else_body else branches[-1]
        return ast.If(tuple(branches), else_body, _cover(if_token, last), inline=True)

    def inline_elif(self, c):
        return ("elif", c[0], c[1], _cover(c[0], c[1]))

    def inline_else(self, c):
        return ("else", None, c[1], _cover(c[0], c[1]))

    def continuation(self, c):
        reward, *mods = c
        return _Part(reward, mods, _cover(reward, mods[-1] if mods else reward))

    # ---- rewards
    def give(self, c):
        give_token, recipient, reward, *mods = c
        return _make_give(recipient, reward, mods, _span(give_token))

    def give_tier(self, c):
        give_token, recipient, tier_parts = c
        tier_token, subject, parts = tier_parts
        tier = _tier(recipient, tier_token, subject, parts, block=False)
        return ast.Give(str(recipient), tier, _span(give_token).to(tier.span))

    def give_tier_block(self, c):
        give_token, recipient, tier_token, subject, *parts = c
        tier = _tier(recipient, tier_token, subject, parts, block=True)
        return ast.Give(str(recipient), tier, _span(give_token).to(tier.span))

    def recipient(self, c):
        return c[0]

    def tier(self, c):
        tier_token, subject, *parts = c
        return (tier_token, subject, parts)

    def tier_arm(self, c):
        bound, _plus, reward, *mods = c
        return _Part(reward, mods, _cover(bound, mods[-1] if mods else reward), bound=bound)

    def tier_default(self, c):
        else_token, reward, *mods = c
        return _Part(reward, mods, _cover(else_token, mods[-1] if mods else reward))

    def reward_amount(self, c):
        return ast.RewardSpec("amount", c[0], _span(c[0]))

    def reward_points(self, c):
        return ast.RewardSpec("points", c[0], _cover(c[0], c[1]))

    def reward_discount(self, c):
        return ast.RewardSpec("discount", c[0], _cover(c[0], c[-1]))

    def reward_voucher(self, c):
        return ast.RewardSpec("voucher", c[0], _cover(c[0], c[-1]), next_order=True)

    def reward_free_shipping(self, c):
        return ast.RewardSpec("free_shipping", None, _cover(c[0], c[-1]))

    def reward_free_shipping_next(self, c):
        return ast.RewardSpec("free_shipping", None, _cover(c[0], c[-1]), next_order=True)

    def reward_free_product(self, c):
        return ast.RewardSpec(
            "free_product", None, _cover(c[0], c[-1]), next_order=True, product=_unquote(c[2])
        )

    def mod_gift_card(self, c):
        return _Mod("delivery", _cover(c[0], c[-1]), "gift_card")

    def mod_store_credit(self, c):
        return _Mod("delivery", _cover(c[0], c[-1]), "store_credit")

    def mod_hold(self, c):
        after = str(c[3]) if len(c) > 3 else None
        return _Mod("hold", _cover(c[0], c[-1]), _int(c[1]), after)

    def mod_expires(self, c):
        return _Mod("expires", _cover(c[0], c[-1]), _int(c[1]))

    def mod_max(self, c):
        return _Mod("max", _cover(c[0], c[1]), c[1])

    # ---- declarations
    def limit_count(self, c):
        limit, recipient, count, _rewards, period = c
        return ast.LimitDecl(
            "per_person", _cover(limit, period), recipient=str(recipient), count=_int(count),
            period=str(period), period_span=_span(period),
        )

    def limit_cap(self, c):
        limit, *rest = c
        recipient = None
        if rest[0].type != "REWARDS":
            recipient = str(rest.pop(0))
        _rewards, op, cap = rest
        op_text, op_span = op if op else ("<=", None)
        return ast.LimitDecl(
            "per_order", _cover(limit, cap), recipient=recipient, cap=cap, cap_op=op_text,
            cap_op_span=op_span,
        )

    def cap_op(self, c):
        return (str(c[0]), _span(c[0])) if c else None

    def budget_decl(self, c):
        budget, amount, *period = c
        end = period[0] if period else amount
        return ast.BudgetDecl(
            amount, _cover(budget, end), period=str(period[0]) if period else None,
            period_span=_span(period[0]) if period else None,
        )

    def contest(self, c):
        token, name, start, end, *items = c
        fields: dict[str, object] = {}
        prizes = []
        for kind, values in items:
            if kind == "prize":
                prizes.append(values)
            else:
                fields.update(values)
        last = items[-1][1] if items and items[-1][0] == "prize" else end
        return ast.Contest(
            _unquote(name), _date(start), _date(end), _cover(token, last), prizes=tuple(prizes),
            **fields,
        )

    def c_entrants(self, c):
        where = c[1] if len(c) > 1 else None
        return ("entrants", {"entrants": str(c[0]), "entrants_span": _span(c[0]),
                             "entrants_where": where})

    def c_score(self, c):
        return ("score", {"score": c[0]})

    def c_minimum(self, c):
        return ("minimum", {"minimum": c[0]})

    def c_prize(self, c):
        prize, first, *rest = c
        last = first
        if isinstance(rest[0], Token):
            last = rest.pop(0)
        reward, *mods = rest
        span = _cover(prize, mods[-1] if mods else reward)
        give = _make_give(Token("NAME", "referrer"), reward, mods, _span(reward))
        return ("prize", ast.Prize(_int(first), _int(last), give, span))

    def c_ties(self, c):
        return ("ties", {"ties": str(c[0]), "ties_span": _span(c[0])})

    def example(self, c):
        token, name, *rest = c
        trigger = None
        if rest and isinstance(rest[0], Token):  # ON trigger
            trigger = rest[1]
            rest = rest[2:]
        return ast.Example(_unquote(name), trigger, tuple(rest), _cover(token, rest[-1]))

    def ex_facts(self, c):
        return ast.ExampleFacts(tuple(c), _cover(c[0], c[-1]))

    def fact_assign(self, c):
        value = c[1] if len(c) > 1 else None
        return ast.FactAssign(c[0], value, _cover(c[0], value or c[0]))

    def ex_line(self, c):
        return ast.ExampleLine(tuple(c[1:]), _cover(c[0], c[-1][2]))

    def line_attr(self, c):
        return (str(c[0]), c[1], _cover(c[0], c[1]))

    def ex_expect(self, c):
        return ast.ExampleExpect(tuple(c[1:]), _cover(c[0], c[-1]))

    def expect_reward(self, c):
        recipient, reward, *mods = c
        give = _make_give(recipient, reward, mods, _span(reward))
        return ast.Expectation(_cover(recipient, give), recipient=str(recipient), give=give)

    def expect_recipient_nothing(self, c):
        return ast.Expectation(_cover(c[0], c[1]), recipient=str(c[0]), nothing=True)

    def expect_nothing(self, c):
        return ast.Expectation(_span(c[0]), nothing=True)

    def expect_hint(self, c):
        return ast.Expectation(_span(c[0]), hint=_unquote(c[0]))

    # ---- expressions
    def binary(self, c):
        left, op, right = c
        return ast.Binary(str(op), left, right, _cover(left, right))

    def unary(self, c):
        op, operand = c
        return ast.Unary(str(op), operand, _cover(op, operand))

    def compare(self, c):
        left, op, right = c
        return ast.Compare(str(op), left, right, _cover(left, right))

    def compare_not_in(self, c):
        left, _not, _in, right = c
        return ast.Compare("not in", left, right, _cover(left, right))

    def number(self, c):
        return ast.Number(Decimal(str(c[0])), _span(c[0]))

    def money(self, c):
        return ast.MoneyLit(Decimal(str(c[0])), str(c[1]), _cover(c[0], c[1]))

    def percent(self, c):
        return ast.PercentLit(Decimal(str(c[0])), _cover(c[0], c[1]))

    def duration_days(self, c):
        return ast.DurationLit(_int(c[0]), _cover(c[0], c[1]), "days")

    def duration_weeks(self, c):
        weeks = _int(c[0])
        return ast.DurationLit(weeks * 7 if weeks >= 0 else -1, _cover(c[0], c[1]), "weeks")

    def string(self, c):
        return ast.StringLit(_unquote(c[0]), _span(c[0]))

    def date(self, c):
        return _date(c[0])

    def true(self, c):
        return ast.BoolLit(True, _span(c[0]))

    def false(self, c):
        return ast.BoolLit(False, _span(c[0]))

    def path(self, c):
        return ast.Name(tuple(str(t) for t in c), _cover(c[0], c[-1]))

    def paren(self, c):
        return c[1]

    def list(self, c):
        items = tuple(c[1:])
        return ast.ListLit(items, _cover(c[0], items[-1] if items else c[0]))

    def aggregate_for(self, c):
        func, item, _for, var, _in, source, *where = c
        end = where[0] if where else source
        return ast.Aggregate(
            str(func), item, str(var), source, where[0] if where else None, _cover(func, end)
        )

    def aggregate_short(self, c):
        func, source, *where = c
        end = where[0] if where else source
        return ast.Aggregate(
            str(func), None, "line", source, where[0] if where else None, _cover(func, end)
        )

    def call(self, c):
        func, *args = c
        return ast.Call(str(func), tuple(args), _cover(func, args[-1]))


def _date(token: Token) -> ast.DateLit:
    text = str(token)
    try:
        value: date | None = date.fromisoformat(text)
    except ValueError:
        value = None
    return ast.DateLit(value, _span(token), text)


def _inherit(first: ast.Give, cont: ast.Give) -> ast.Give:
    """`else 20%` keeps the first give's delivery, hold and expiry unless it sets its own."""
    return replace(
        cont,
        delivery=cont.delivery or first.delivery,
        hold_days=cont.hold_days if cont.hold_days is not None else first.hold_days,
        hold_after=cont.hold_after or first.hold_after,
        expires_days=cont.expires_days if cont.expires_days is not None else first.expires_days,
        max_amount=cont.max_amount if cont.max_amount is not None else first.max_amount,
    )


@functools.cache
def _parser() -> Lark:
    return Lark(
        load_grammar("rules"),
        parser="lalr",
        lexer="contextual",
        postlex=_RulesIndenter(),
        transformer=_ToAst(),
        maybe_placeholders=False,
    )


_PARSE_LOCK = threading.Lock()  # the Indenter keeps per-parse state on its instance


def _raw_parse(text: str) -> ast.ProgramNode:
    with _PARSE_LOCK:
        return _parser().parse(text)


def parse(source: str, filename: str = "program.rules") -> tuple[ast.ProgramNode | None, list]:
    """The AST, or None and the syntax errors (as Diagnostics) that stopped parsing."""
    node, errors, _rest = parse_recovering(source, filename)
    return node, errors


def parse_recovering(
    source: str, filename: str = "program.rules"
) -> tuple[ast.ProgramNode | None, list[Diagnostic], ast.ProgramNode | None]:
    """Parse top-level item by item: (the AST, the syntax errors, the AST of the items that did
    parse when some did not). Items are parsed separately and cached by their text and first
    line, so an editor re-checking after a change re-parses only the items that changed, and
    one broken item does not hide the errors of the next."""
    nodes: list[ast.ProgramNode] = []
    errors: list[Diagnostic] = []
    for first_line, chunk in _split_items(source):
        node, error = _parse_chunk(first_line, chunk)
        if error is not None:
            errors.append(replace(error, filename=filename))
        elif node is not None:
            nodes.append(node)
    program = _assemble(nodes, errors, filename)
    if errors:
        return None, errors, program
    return program, [], None


def _split_items(source: str) -> list[tuple[int, str]]:
    """(first line, text) of each top-level item: a line at column 0 that is not a comment, an
    `elif`/`else`, or inside brackets or a `\\` continuation starts one. Leading comments go
    with the first item."""
    lines = source.split("\n")
    starts: list[int] = []
    depth, continued = 0, False
    for index, raw in enumerate(lines):
        if depth == 0 and not continued and raw[:1] not in ("", " ", "\t") and not raw.startswith(
                _CONTINUES_ITEM):
            starts.append(index)
        depth = max(0, depth + _bracket_balance(raw))
        continued = raw.rstrip().endswith("\\")
    if not starts:
        return [(1, source)]
    starts[0] = 0
    bounds = [*starts, len(lines)]
    return [(begin + 1, "\n".join(lines[begin:end])) for begin, end in itertools.pairwise(bounds)]


_CONTINUES_ITEM = ("elif", "else", "#")
_BRACKETS = {"(": 1, "[": 1, ")": -1, "]": -1}


def _bracket_balance(raw: str) -> int:
    """Opened minus closed brackets on a line, outside strings and comments."""
    balance, in_string, escaped = 0, False, False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            break
        else:
            balance += _BRACKETS.get(char, 0)
    return balance


@functools.lru_cache(maxsize=4096)
def _parse_chunk(first_line: int, chunk: str) -> tuple[ast.ProgramNode | None, Diagnostic | None]:
    # Blank lines in front keep every token's line number what it is in the whole file.
    text = "\n" * (first_line - 1) + chunk
    if not text.endswith("\n"):
        text += "\n"
    try:
        return _raw_parse(text), None
    except UnexpectedInput as exc:
        return None, _syntax_diagnostic(exc, text, "")
    except DedentError:
        return None, _dedent_diagnostic(text, "")
    except LarkError as exc:  # anything else Lark raises is still a syntax problem of the text
        span = Span(first_line, 1, first_line, 2)
        return None, Diagnostic.at(span, f"cannot parse: {exc}")


def _assemble(nodes: list[ast.ProgramNode], errors: list[Diagnostic],
              filename: str) -> ast.ProgramNode:
    """One program from the items' ASTs: the header must come first, and consecutive top-level
    statements form one implicit `order paid` rule, as when the file is parsed whole."""
    header = None
    items: list = []
    for index, node in enumerate(nodes):
        if node.header is not None:
            if index == 0 and not items:
                header = node.header
            else:
                errors.append(Diagnostic.at(node.header.span, "the `program` header must come "
                                            "first", filename=filename))
        for item in node.items:
            previous = items[-1] if items else None
            if isinstance(item, ast.Rule) and item.implicit and isinstance(
                    previous, ast.Rule) and previous.implicit:
                items[-1] = replace(previous, body=previous.body + item.body,
                                    span=previous.span.to(item.span))
            else:
                items.append(item)
    errors.sort(key=lambda d: (d.line, d.column))
    start = header.span if header else items[0].span if items else Span(1, 1, 1, 1)
    end = items[-1].span if items else start
    return ast.ProgramNode(header, tuple(items), start.to(end))


def _syntax_diagnostic(exc: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line, column = max(exc.line, 1), max(exc.column, 1)
    width = 1
    token = getattr(exc, "token", None)
    if isinstance(exc, UnexpectedToken) and token is not None and token.type == "$END":
        line, column = _end_position(text)
    elif token is not None and getattr(token, "line", None):
        line, column = token.line, token.column
        if token.type in ("_NL", "_DEDENT", "_INDENT"):
            line, column = _end_of_line(text, line)
        else:
            width = max(1, len(str(token).splitlines()[0]) if str(token) else 1)
    label = _label_for(exc)
    if isinstance(exc, UnexpectedCharacters):
        char = text.splitlines()[line - 1][column - 1 : column] if line <= len(
            text.splitlines()) else ""
        message = label or f"unexpected character {char!r}"
        hint = None
        if char == "'":
            message, hint = "strings are written in double quotes", f"then: {message}"
    else:
        found = _found(token)
        message = label or f"unexpected {found}"
        expected = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or set()
        hint = describe_expected(expected, _parser())
    span = Span(line, column, line, column + width)
    return Diagnostic.at(span, message, hint=hint, filename=filename)


_EXAMPLE_PREFIXES = ("", "# note\n", 'program "p"\n', "give referrer 1 USD\n",
                     'program "p"\non order paid:\n    give referrer 1 USD\n')


@functools.cache
def _example_table() -> tuple[tuple[object, frozenset, str, str, str], ...]:
    """Each syntax-error example parsed once: (state, accepts, token type, token text, label).
    Examples also run after a comment, a header and earlier items: their parser states differ."""
    table = []
    for label, examples in SYNTAX_EXAMPLES.items():
        for example in examples:
            for prefix in _EXAMPLE_PREFIXES:
                try:
                    _raw_parse(prefix + example)
                except UnexpectedInput as ut:
                    token = getattr(ut, "token", None)
                    table.append((ut.state, frozenset(getattr(ut, "accepts", None) or ()),
                                  getattr(token, "type", ""), str(token or ""), label))
                except LarkError:
                    continue
    return tuple(table)


def _label_for(exc: UnexpectedInput) -> str | None:
    """The example label whose error happened in the same parser state, preferring the same
    token, then the same kind of token (Lark's match_examples, with the examples parsed once)."""
    token = getattr(exc, "token", None)
    accepts = frozenset(getattr(exc, "accepts", None) or ())
    best: tuple[int, str] | None = None
    for state, example_accepts, token_type, token_text, label in _example_table():
        if state != exc.state or (accepts and example_accepts and accepts != example_accepts):
            continue
        score = 0
        if token is not None and token_type == token.type:
            score = 2 if token_text == str(token) else 1
        if best is None or score > best[0]:
            best = (score, label)
    return best[1] if best else None


def _found(token: Token | None) -> str:
    if token is None or token.type == "$END":
        return "end of program"
    if token.type == "_NL":
        return "end of line"
    if token.type == "_INDENT":
        return "indentation"
    if token.type == "_DEDENT":
        return "end of block"
    return f"{str(token)!r}"


def _end_position(text: str) -> tuple[int, int]:
    lines = text.rstrip("\n").splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _end_of_line(text: str, line: int) -> tuple[int, int]:
    lines = text.splitlines()
    if 1 <= line <= len(lines):
        stripped = lines[line - 1].split("#", 1)[0].rstrip()
        return line, len(stripped) + 1
    return _end_position(text)


def _dedent_diagnostic(text: str, filename: str) -> Diagnostic:
    """Find the first line whose indentation matches no enclosing block."""
    stack = [0]
    for number, raw in enumerate(text.splitlines(), start=1):
        body = raw.strip()
        if not body or body.startswith("#"):
            continue
        indent = len(raw.expandtabs(8)) - len(raw.expandtabs(8).lstrip())
        if indent > stack[-1]:
            stack.append(indent)
            continue
        while indent < stack[-1]:
            stack.pop()
        if indent != stack[-1]:
            span = Span(number, 1, number, indent + 1)
            return Diagnostic.at(
                span, "this line's indentation matches no enclosing block",
                hint="indent with the same spaces as the block it belongs to", filename=filename,
            )
    return Diagnostic.at(Span(1, 1, 1, 2), "inconsistent indentation", filename=filename)
