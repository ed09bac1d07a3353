"""Tree-to-AST transformer methods for declarations: limits, budgets, contests, examples."""

from __future__ import annotations

from lark import Token

from rules.syntax import ast
from rules.syntax.tokens import date_of, int_of, make_give, span_of, spanning, unquote


class DeclarationsToAst:
    """Mixin of `ToAst` (rules/syntax/transform.py)."""

    def limit_count(self, c):
        limit, recipient, count, _rewards, period = c
        return ast.LimitDecl(
            "per_person", spanning(limit, period), recipient=str(recipient), count=int_of(count),
            period=str(period), period_span=span_of(period), count_span=span_of(count),
        )

    def limit_cap(self, c):
        limit, *rest = c
        recipient = None
        if rest[0].type != "REWARDS":
            recipient = str(rest.pop(0))
        _rewards, op, cap = rest
        op_text, op_span = op if op else ("<=", None)
        return ast.LimitDecl(
            "per_order", spanning(limit, cap), recipient=recipient, cap=cap, cap_op=op_text,
            cap_op_span=op_span,
        )

    def cap_op(self, c):
        return (str(c[0]), span_of(c[0])) if c else None

    def budget_decl(self, c):
        budget, amount, *period = c
        end = period[0] if period else amount
        return ast.BudgetDecl(
            amount, spanning(budget, end), period=str(period[0]) if period else None,
            period_span=span_of(period[0]) if period else None,
        )

    def ceiling_decl(self, c):
        ceiling, amount = c
        return ast.CeilingDecl(amount, spanning(ceiling, amount))

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
            unquote(name), date_of(start), date_of(end), spanning(token, last),
            prizes=tuple(prizes),
            **fields,
        )

    def c_entrants(self, c):
        where = c[1] if len(c) > 1 else None
        return ("entrants", {"entrants": str(c[0]), "entrants_span": span_of(c[0]),
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
        span = spanning(prize, mods[-1] if mods else reward)
        give = make_give(Token("NAME", "referrer"), reward, mods, span_of(reward))
        return ("prize", ast.Prize(int_of(first), int_of(last), give, span))

    def c_ties(self, c):
        return ("ties", {"ties": str(c[0]), "ties_span": span_of(c[0])})

    def ab_test(self, c):
        token, _test, name, *rest = c
        salt = unquote(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        return ast.ABTest(unquote(name), tuple(rest), spanning(token, rest[-1]), salt=salt)

    def variant(self, c):
        token, name, *rest = c
        weight = int_of(rest.pop(0)) if rest and isinstance(rest[0], Token) else 1
        rules = tuple(item for item in rest if isinstance(item, ast.Rule))
        examples = tuple(item for item in rest if isinstance(item, ast.Example))
        return ast.Variant(unquote(name), weight, rules, spanning(token, rest[-1]),
                           name_span=span_of(name), examples=examples)

    def example(self, c):
        token, name, *rest = c
        trigger = None
        if rest and isinstance(rest[0], Token):  # ON trigger
            trigger = rest[1]
            rest = rest[2:]
        return ast.Example(unquote(name), trigger, tuple(rest), spanning(token, rest[-1]))

    def ex_facts(self, c):
        return ast.ExampleFacts(tuple(c), spanning(c[0], c[-1]))

    def fact_assign(self, c):
        value = c[1] if len(c) > 1 else None
        return ast.FactAssign(c[0], value, spanning(c[0], value or c[0]))

    def ex_line(self, c):
        return ast.ExampleLine(tuple(c[1:]), spanning(c[0], c[-1][2]))

    def line_attr(self, c):
        return (str(c[0]), c[1], spanning(c[0], c[1]))

    def ex_expect(self, c):
        return ast.ExampleExpect(tuple(c[1:]), spanning(c[0], c[-1]))

    def expect_reward(self, c):
        recipient, reward, *mods = c
        give = make_give(recipient, reward, mods, span_of(reward))
        return ast.Expectation(spanning(recipient, give), recipient=str(recipient), give=give)

    def expect_recipient_nothing(self, c):
        return ast.Expectation(spanning(c[0], c[1]), recipient=str(c[0]), nothing=True)

    def expect_nothing(self, c):
        return ast.Expectation(span_of(c[0]), nothing=True)

    def expect_hint(self, c):
        return ast.Expectation(span_of(c[0]), hint=unquote(c[0]))
