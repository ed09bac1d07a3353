"""Lark parse tree → `rules.syntax.ast`, run inline by the LALR parser; spans come from the
tokens."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from lark import Transformer

from rules.facts import Trigger
from rules.syntax import ast
from rules.syntax.tokens import (
    Bare,
    Body,
    Mod,
    Part,
    date_of,
    implicit_rule,
    inherit_give,
    int_of,
    make_give,
    make_tier,
    program_node,
    span_of,
    spanning,
    unquote,
)
from rules.syntax.transform_decls import DeclarationsToAst

_ORDER_TRIGGERS = {
    "created": Trigger.ORDER_CREATED,
    "paid": Trigger.ORDER_PAID,
    "fulfilled": Trigger.ORDER_FULFILLED,
    "cancelled": Trigger.ORDER_CANCELLED,
    "canceled": Trigger.ORDER_CANCELLED,
    "refunded": Trigger.ORDER_REFUNDED,
}


class ToAst(DeclarationsToAst, Transformer):
    """Lark tree → `rules.syntax.ast`, run inline by the LALR parser."""

    # ---- program structure
    def program(self, children):
        header = children[0] if children and isinstance(children[0], ast.Header) else None
        items: list = []
        pending: list = []
        for child in children[1 if header else 0 :]:
            if isinstance(child, Bare):
                pending.append(child.stmt)
                continue
            if pending:
                items.append(implicit_rule(pending))
                pending = []
            items.append(child)
        if pending:
            items.append(implicit_rule(pending))
        return program_node(header, items)

    def bare_stmt(self, children):
        return Bare(children[0])

    def header(self, children):
        currency = children[1] if len(children) > 1 else None
        return ast.Header(
            unquote(children[0]),
            str(currency) if currency else None,
            spanning(children[0], currency or children[0]),
            span_of(currency) if currency else None,
        )

    def rule(self, children):
        label, start = None, children[0]
        if children[0].type == "STRING":
            label = unquote(children[0])
            children = children[1:]
        on, trigger, *rest = children
        body = rest[-1]
        when = rest[0] if len(rest) == 2 else None
        end = body.stmts[-1].span if body.stmts else trigger.span
        return ast.Rule(
            trigger, when, body.stmts, span_of(start if label else on).to(end), label=label,
            inline_body=body.inline,
        )

    def t_checkout(self, c):
        return ast.TriggerSpec(Trigger.CHECKOUT, span_of(c[0]))

    def t_order(self, c):
        return ast.TriggerSpec(_ORDER_TRIGGERS[str(c[1])], spanning(c[0], c[1]))

    def t_customer_created(self, c):
        return ast.TriggerSpec(Trigger.CUSTOMER_CREATED, spanning(c[0], c[1]))

    def t_customer_asleep(self, c):
        periods = int_of(c[2]) if len(c) > 2 else None
        return ast.TriggerSpec(Trigger.CUSTOMER_ASLEEP, spanning(c[0], c[-1]), periods=periods)

    def t_first_order(self, c):
        channel = unquote(c[-1]) if c[-1].type == "STRING" else None
        return ast.TriggerSpec(Trigger.FIRST_ORDER_IN_CHANNEL, spanning(c[0], c[-1]),
                               channel=channel)

    def t_contest_end(self, c):
        contest = unquote(c[2]) if len(c) > 2 else None
        return ast.TriggerSpec(Trigger.CONTEST_END, spanning(c[0], c[-1]), contest=contest)

    def block(self, children):
        return Body(tuple(children), inline=False)

    def inline_block(self, children):
        return Body(tuple(children), inline=True)

    # ---- statements
    def let_stmt(self, c):
        return ast.Let(str(c[0]), c[1], spanning(c[0], c[1]))

    def hold_stmt(self, c):
        after = str(c[3]) if len(c) > 3 else None
        return ast.Hold(int_of(c[1]), after, spanning(c[0], c[-1]))

    def if_block(self, c):
        if_token, condition, body, *rest = c
        branches = [ast.Branch(condition, body.stmts, spanning(if_token, body.stmts[-1]))]
        else_body = None
        for part in rest:
            if isinstance(part, ast.Branch):
                branches.append(part)
            else:
                else_body = part.stmts
        last = else_body[-1] if else_body else branches[-1]
        return ast.If(tuple(branches), else_body, spanning(if_token, last))

    def elif_block(self, c):
        return ast.Branch(c[0], c[1].stmts, spanning(c[0], c[1].stmts[-1]))

    def else_block(self, c):
        return c[0]

    def inline_if(self, c):
        if_token, condition, first, *rest = c
        branches = [ast.Branch(condition, (first,), spanning(if_token, first))]
        else_body = None
        for kind, cond, what, span in rest:
            if isinstance(what, Part):
                what = make_give(
                    first.recipient, what.reward, what.mods, what.span, continued=True
                )
                what = inherit_give(first, what)
            if kind == "elif":
                branches.append(ast.Branch(cond, (what,), span))
            else:
                else_body = (what,)
        last = else_body[0] if else_body else branches[-1]
        return ast.If(tuple(branches), else_body, spanning(if_token, last), inline=True)

    def inline_elif(self, c):
        return ("elif", c[0], c[1], spanning(c[0], c[1]))

    def inline_else(self, c):
        return ("else", None, c[1], spanning(c[0], c[1]))

    def continuation(self, c):
        reward, *mods = c
        return Part(reward, mods, spanning(reward, mods[-1] if mods else reward))

    # ---- rewards
    def give(self, c):
        give_token, recipient, reward, *mods = c
        return make_give(recipient, reward, mods, span_of(give_token))

    def give_tier(self, c):
        give_token, recipient, tier_parts = c
        tier_token, subject, parts = tier_parts
        tier = make_tier(recipient, tier_token, subject, parts, block=False)
        return ast.Give(str(recipient), tier, span_of(give_token).to(tier.span))

    def give_tier_block(self, c):
        give_token, recipient, tier_token, subject, *parts = c
        tier = make_tier(recipient, tier_token, subject, parts, block=True)
        return ast.Give(str(recipient), tier, span_of(give_token).to(tier.span))

    def recipient(self, c):
        return c[0]

    def tier(self, c):
        tier_token, subject, *parts = c
        return (tier_token, subject, parts)

    def tier_arm(self, c):
        bound, _plus, reward, *mods = c
        return Part(reward, mods, spanning(bound, mods[-1] if mods else reward), bound=bound)

    def tier_default(self, c):
        else_token, reward, *mods = c
        return Part(reward, mods, spanning(else_token, mods[-1] if mods else reward))

    def reward_amount(self, c):
        return ast.RewardSpec("amount", c[0], span_of(c[0]))

    def reward_points(self, c):
        return ast.RewardSpec("points", c[0], spanning(c[0], c[1]))

    def reward_discount(self, c):
        return ast.RewardSpec("discount", c[0], spanning(c[0], c[-1]))

    def reward_voucher(self, c):
        return ast.RewardSpec("voucher", c[0], spanning(c[0], c[-1]), next_order=True)

    def reward_free_shipping(self, c):
        return ast.RewardSpec("free_shipping", None, spanning(c[0], c[-1]))

    def reward_free_shipping_next(self, c):
        return ast.RewardSpec("free_shipping", None, spanning(c[0], c[-1]), next_order=True)

    def reward_free_product(self, c):
        return ast.RewardSpec(
            "free_product", None, spanning(c[0], c[-1]), next_order=True, product=unquote(c[2])
        )

    def mod_gift_card(self, c):
        return Mod("delivery", spanning(c[0], c[-1]), "gift_card")

    def mod_store_credit(self, c):
        return Mod("delivery", spanning(c[0], c[-1]), "store_credit")

    def mod_hold(self, c):
        after = str(c[3]) if len(c) > 3 else None
        return Mod("hold", spanning(c[0], c[-1]), int_of(c[1]), after)

    def mod_expires(self, c):
        return Mod("expires", spanning(c[0], c[-1]), int_of(c[1]))

    def mod_max(self, c):
        return Mod("max", spanning(c[0], c[1]), c[1])

    # ---- expressions
    def binary(self, c):
        left, op, right = c
        return ast.Binary(str(op), left, right, spanning(left, right))

    def unary(self, c):
        op, operand = c
        return ast.Unary(str(op), operand, spanning(op, operand))

    def compare(self, c):
        left, op, right = c
        return ast.Compare(str(op), left, right, spanning(left, right))

    def compare_not_in(self, c):
        left, _not, _in, right = c
        return ast.Compare("not in", left, right, spanning(left, right))

    def number(self, c):
        return ast.Number(Decimal(str(c[0])), span_of(c[0]))

    def money(self, c):
        return ast.MoneyLit(Decimal(str(c[0])), str(c[1]), spanning(c[0], c[1]))

    def percent(self, c):
        return ast.PercentLit(Decimal(str(c[0])), spanning(c[0], c[1]))

    def duration_days(self, c):
        return ast.DurationLit(int_of(c[0]), spanning(c[0], c[1]), "days")

    def duration_weeks(self, c):
        weeks = int_of(c[0])
        return ast.DurationLit(weeks * 7 if weeks >= 0 else -1, spanning(c[0], c[1]), "weeks")

    def string(self, c):
        return ast.StringLit(unquote(c[0]), span_of(c[0]))

    def date(self, c):
        return date_of(c[0])

    def true(self, c):
        return ast.BoolLit(True, span_of(c[0]))

    def false(self, c):
        return ast.BoolLit(False, span_of(c[0]))

    def path(self, c):
        return ast.Name(tuple(map(str, c)), spanning(c[0], c[-1]))

    def paren(self, c):
        # the brackets belong to what they enclose: errors and hovers cover `(a + b)` whole
        return replace(c[1], span=spanning(c[0], c[2]))

    def list(self, c):
        return ast.ListLit(tuple(c[1:-1]), spanning(c[0], c[-1]))

    def aggregate_for(self, c):
        func, item, _for, var, _in, source, *where, close = c
        return ast.Aggregate(
            str(func), item, str(var), source, where[0] if where else None, spanning(func, close)
        )

    def aggregate_short(self, c):
        func, source, *where, close = c
        return ast.Aggregate(
            str(func), None, "line", source, where[0] if where else None, spanning(func, close)
        )

    def call(self, c):
        func, *args, close = c
        return ast.Call(str(func), tuple(args), spanning(func, close))
