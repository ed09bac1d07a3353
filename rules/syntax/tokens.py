"""Shared helpers of the tree-to-AST transformer: spans from tokens, literals, gives."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from lark import Token

from rules.facts import Trigger
from rules.source import Span
from rules.syntax import ast

_ESCAPE = re.compile(r"\\(.)")


def span_of(item: object) -> Span:
    if isinstance(item, Token):
        return Span(item.line, item.column, item.end_line, item.end_column)
    if isinstance(item, Span):
        return item
    return item.span  # type: ignore[attr-defined]


def spanning(first: object, last: object) -> Span:
    """From the start of `first` to the end of `last`: one Span built, not three (hot)."""
    start = first if isinstance(first, _POSITIONED) else first.span  # type: ignore[attr-defined]
    end = last if isinstance(last, _POSITIONED) else last.span  # type: ignore[attr-defined]
    return Span(start.line, start.column, end.end_line, end.end_column)


_POSITIONED = (Token, Span)  # both carry line, column, end_line and end_column


def unquote(token: Token) -> str:
    return _ESCAPE.sub(lambda m: m.group(1), str(token)[1:-1])


def int_of(token: Token) -> int:
    """Whole numbers where the grammar wants a count; fractions are the checker's to report."""
    value = Decimal(str(token))
    return int(value) if value == value.to_integral_value() and len(str(token)) < 12 else -1


class Body:
    __slots__ = ("inline", "stmts")

    def __init__(self, stmts: tuple, inline: bool) -> None:
        self.stmts = stmts
        self.inline = inline


class Mod:
    __slots__ = ("kind", "span", "values")

    def __init__(self, kind: str, span: Span, *values: object) -> None:
        self.kind, self.span, self.values = kind, span, values


class Part:
    """A reward spec with its modifiers, before the recipient is known (tiers, continuations)."""

    __slots__ = ("bound", "mods", "reward", "span")

    def __init__(self, reward: object, mods: list, span: Span, bound: object = None) -> None:
        self.reward, self.mods, self.span, self.bound = reward, mods, span, bound


class Bare:
    __slots__ = ("stmt",)

    def __init__(self, stmt: object) -> None:
        self.stmt = stmt


def make_give(recipient: Token, reward: object, mods: list, span: Span, **extra) -> ast.Give:
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
    end = mods[-1].span if mods else span_of(reward)
    return ast.Give(str(recipient), reward, span.to(end), **fields, **extra)


def make_tier(recipient: Token, tier_token: Token, subject: object, parts: list, block: bool):
    arms = tuple(
        ast.TierArm(p.bound, make_give(recipient, p.reward, p.mods, p.span), p.span) for p in parts
    )
    return ast.Tier(subject, arms, span_of(tier_token).to(parts[-1].span), block)


def date_of(token: Token) -> ast.DateLit:
    text = str(token)
    try:
        value: date | None = date.fromisoformat(text)
    except ValueError:
        value = None
    return ast.DateLit(value, span_of(token), text)


def inherit_give(first: ast.Give, cont: ast.Give) -> ast.Give:
    """`else 20%` keeps the first give's delivery, hold and expiry unless it sets its own."""
    return replace(
        cont,
        delivery=cont.delivery or first.delivery,
        hold_days=cont.hold_days if cont.hold_days is not None else first.hold_days,
        hold_after=cont.hold_after or first.hold_after,
        expires_days=cont.expires_days if cont.expires_days is not None else first.expires_days,
        max_amount=cont.max_amount if cont.max_amount is not None else first.max_amount,
    )


def implicit_rule(stmts: list) -> ast.Rule:
    """Top-level statements outside any `on …:` form one rule on order paid."""
    first, last = stmts[0], stmts[-1]
    trigger = ast.TriggerSpec(Trigger.ORDER_PAID, first.span)
    return ast.Rule(trigger, None, tuple(stmts), first.span.to(last.span), implicit=True)


def program_node(header: ast.Header | None, items: list) -> ast.ProgramNode:
    start = header.span if header else items[0].span if items else Span(1, 1, 1, 1)
    end = items[-1].span if items else start
    return ast.ProgramNode(header, tuple(items), start.to(end))
