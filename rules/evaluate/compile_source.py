"""The compiled program as Python source: one function per program, made with `compile()`.

It picks the facts' trigger, runs that trigger's rules, the per-order caps and the guard's
common case. Each rule becomes straight-line code (filters, `when`, `if` / `else`, tiers,
`give`), so an evaluation makes no call per node. A `give` of money appends
`(template, amount)` to `due`: the template is the Reward worked out once from the source
(recipient, rule, reason, hold, expiry, percent, cap), the amount is the only figure read per
evaluation; the Reward itself is built when a caller reads the decision
(rules.evaluate.decision.Decision.rewards).

Rules with `let` or `hold`, rewards other than plain money, and programs nested deeper than
Python's parser allows run as the closures of compiler.py, called from the source: both
mean what the interpreter means, which the agreement property tests check on random programs.
The source is made from the checked AST only; literals reach it as namespace constants (see
rules/evaluate/compile_source_expr.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from rules.checker import RuleInfo
from rules.evaluate.caps import cap_limit, due_capped
from rules.evaluate.compile_cost import NO_LINE_LIMIT
from rules.evaluate.compile_source_expr import ORDER_SOURCE, Source
from rules.evaluate.decision import Decision, MutableDecision, Percent, Reward
from rules.evaluate.rewards import reward_fixed
from rules.evaluate.values import arithmetic, as_money
from rules.facts import Money, Trigger, first_order_in_channel
from rules.syntax import ast

Evaluate = Callable[..., Any]  # (facts, program_hash="") -> Decision
RuleFn = Callable[[Any, list], None]


class Finish(NamedTuple):
    """What the generated function calls once the rules have run (rules/evaluate/compiler.py)."""

    interpret: Callable[..., Any]  # (facts, program_hash) -> Decision, counting steps
    keeps_money: Callable[..., bool]  # the guard's fast check of one money reward
    sure_limits: tuple[Any, dict[int, Any]] | None  # Guard.sure_limits in the program's currency
    nothing: Callable[[str], Any]  # the Decision of no rewards
    nothings: dict[str, Any]  # program hash -> the Decision of no rewards, once made
    guarded: Callable[[Any, list, str], Any]  # caps done: the guard over all, the Decision


def program_function(groups: dict[Trigger, tuple[list[tuple[ast.Rule, RuleInfo]], int]],
                     caps: list[ast.LimitDecl], lines_without_rules: int,
                     currency: str | None, finish: Finish,
                     closure_rule: Callable[[ast.Rule, RuleInfo], RuleFn],
                     closure_reward: Callable[[ast.Give, ast.RewardSpec, RuleInfo], Any],
                     *, written: bool = True) -> Evaluate:
    """`evaluate(facts, program_hash="")`: the rules of the facts' trigger in written order,
    then caps and the guard. `groups` holds each trigger's rules and the most lines an order
    may have before the step limit could be reached (then `finish.interpret` runs instead).
    `caps` are the per-order limits. `closure_rule` and `closure_reward` give the closures of
    what is not written as source; with `written` False, that is every rule and expression."""
    source = Source(currency, written=written)
    writer = _Writer(source, closure_rule, closure_reward)
    k = source.const
    body = ["def _evaluate(f, program_hash=''):"]
    limited = [most for _, most in groups.values()] + [lines_without_rules]
    if any(most < NO_LINE_LIMIT for most in limited):
        body += ["    order = f.order", "    lines = len(order.lines) if order is not None else 0"]
    if currency is not None:  # facts in another currency: the interpreter says so
        body += [f"    if f.currency != {k(currency)}:",
                 "        return _interpret(f, program_hash)"]
    body += ["    due = []", "    trigger = f.trigger"]
    keyword = "if"
    for trigger, (pairs, most) in groups.items():  # the interpreter matches by identity
        body.append(f"    {keyword} trigger is {k(trigger)}:")
        if most < NO_LINE_LIMIT:
            body += [f"        if lines > {k(most)}:",
                     "            return _interpret(f, program_hash)"]
        for rule, info in pairs:
            body += writer.rule(rule, info, 2)
        keyword = "elif"
    if lines_without_rules < NO_LINE_LIMIT:
        body += [f"    {'elif' if groups else 'if'} lines > {k(lines_without_rules)}:",
                 "        return _interpret(f, program_hash)"]
    sure_enough = ""  # with the currency known: most money rewards are kept without a call
    if currency is not None and finish.sure_limits is not None:
        ceiling, sure = finish.sure_limits
        sure_enough = f"amount.amount <= {k(sure)}.get(template.rule_line, {k(ceiling)}) or "
    for cap in caps:  # per-order caps, in written order, read even with nothing to cap
        body += ["    try:", f"        limit = {source.expr(cap.cap)}",
                 "    except _Missing:", "        pass", "    else:",
                 "        limit = _cap_limit(limit, f, f.currency)",
                 "        if limit is not None:",
                 f"            due = _due_capped(due, limit=limit, recipient={k(cap.recipient)})"]
    body += ["    if not due:",
             "        return _NOTHING.get(program_hash) or _nothing(program_hash)",
             "    if len(due) == 1:", "        pair = due[0]", "        template, amount = pair",
             f"        if template.kind == 'money' and ({sure_enough}"
             "_keeps_money(template, amount, f)):",
             "            shared = _SHARED.get(id(pair), _SHARED)  # a fixed reward's Decision",
             "            if shared is not _SHARED and shared is not None and (",
             "                    shared.program_hash == program_hash):",
             "                return shared",
             "            decision = _MutableDecision()  # its rewards are built on reading",
             "            decision._rewards, decision._due = None, due",
             "            decision.trace = decision.hints = decision.refused = decision.cut = ()",
             "            decision.program_hash = program_hash",
             "            decision.__class__ = _Decision",
             "            if shared is not _SHARED:",
             "                _SHARED[id(pair)] = decision",
             "            return decision",
             "    return _guarded(f, due, program_hash)"]
    text = "\n".join(source.helpers) + "\n" + "\n".join(body) + "\n"
    namespace = source.namespace
    namespace.update({f"_{name}": value for name, value in finish._asdict().items()})
    namespace["_NOTHING"] = finish.nothings
    # id of a fixed reward's (template, amount) pair, a constant kept alive by this namespace
    # (so no other object can have its id) -> its Decision once made, shared as it is immutable
    namespace["_SHARED"] = dict.fromkeys(source.fixed_pairs)
    namespace.update(_Decision=Decision, _MutableDecision=MutableDecision, _Percent=Percent,
                     _arith=arithmetic, _as_money=as_money, _ONCE=(None,),
                     _cap_limit=cap_limit, _due_capped=due_capped,
                     _first_order_in_channel=first_order_in_channel)
    try:
        code = compile(text, "<rules program>", "exec")
    except (SyntaxError, RecursionError, MemoryError):
        if not written:
            raise
        # Deep nesting Python's own parser refuses (it allows fewer levels than the checker):
        # the program runs as closures, called from the few lines around them.
        return program_function(groups, caps, lines_without_rules, currency, finish,
                                closure_rule, closure_reward, written=False)
    exec(code, namespace)
    return namespace["_evaluate"]


def _written_as_source(stmts: tuple[ast.Stmt, ...]) -> bool:
    for stmt in stmts:
        if isinstance(stmt, ast.Let | ast.Hold):
            return False
        if isinstance(stmt, ast.If) and not (
                all(_written_as_source(b.body) for b in stmt.branches)
                and _written_as_source(stmt.else_body or ())):
            return False
    return True


class _Writer:
    def __init__(self, source: Source, closure_rule, closure_reward) -> None:
        self.source = source
        self.closure_rule = closure_rule
        self.closure_reward = closure_reward

    def rule(self, rule: ast.Rule, info: RuleInfo, depth: int) -> list[str]:
        """The rule's lines at `depth`: inside a loop run once, so `break` skips the rest."""
        src, pad = self.source, "    " * depth
        if not (src.written and _written_as_source(rule.body)):
            closure = src.const(self.closure_rule(rule, info))
            return [f"{pad}given = []", f"{pad}{closure}(f, given)",
                    f"{pad}for reward in given:", f"{pad}    due.append((reward, reward.amount))"]
        inner = pad + "    "
        lines = [f"{pad}for _once in _ONCE:  # rule at line {info.line}"]
        spec = rule.trigger
        if spec.trigger is Trigger.FIRST_ORDER_IN_CHANNEL:
            lines += [f"{inner}if not _first_order_in_channel(f):", f"{inner}    break"]
        if spec.periods is not None:
            lines += [f"{inner}customer = f.customer",
                      f"{inner}if (customer.periods_missed if customer else 0) < "
                      f"{src.const(spec.periods)}:", f"{inner}    break"]
        if spec.channel is not None:
            lines += [f"{inner}if f.channel != {src.const(spec.channel)}:", f"{inner}    break"]
        if spec.contest is not None:
            lines += [f"{inner}contest = f.contest",
                      f"{inner}if contest is None or contest.name != {src.const(spec.contest)}:",
                      f"{inner}    break"]
        if rule.when is not None:
            lines += [f"{inner}try:", f"{inner}    if not {src.expr(rule.when)}:",
                      f"{inner}        break", f"{inner}except _Missing:", f"{inner}    break"]
        if len(lines) == 1:  # nothing to skip on: no loop needed
            return self.block(rule.body, info, depth)
        return lines + self.block(rule.body, info, depth + 1)

    def block(self, stmts: tuple[ast.Stmt, ...], info: RuleInfo, depth: int) -> list[str]:
        pad = "    " * depth
        lines: list[str] = []
        for stmt in stmts:
            if isinstance(stmt, ast.Give):  # a fact this event lacks skips the statement
                lines += [f"{pad}try:", *self.give(stmt, info, depth + 1),
                          f"{pad}except _Missing:", f"{pad}    pass"]
            elif isinstance(stmt, ast.If):
                lines += self.if_stmt(stmt, info, depth)
        return lines or [f"{pad}pass"]

    def if_stmt(self, stmt: ast.If, info: RuleInfo, depth: int) -> list[str]:
        pad = "    " * depth
        if not stmt.branches:
            return self.block(stmt.else_body or (), info, depth)
        branch, rest = stmt.branches[0], stmt.branches[1:]
        held = self.source.temp()
        lines = [f"{pad}try:", f"{pad}    {held} = {self.source.boolean(branch.condition)}",
                 f"{pad}except _Missing:  # a condition that cannot be read does not hold",
                 f"{pad}    {held} = False",
                 f"{pad}if {held}:", *self.block(branch.body, info, depth + 1)]
        if rest or stmt.else_body is not None:
            following = ast.If(rest, stmt.else_body, stmt.span) if rest else None
            lines.append(f"{pad}else:")
            lines += (self.if_stmt(following, info, depth + 1) if following is not None
                      else self.block(stmt.else_body or (), info, depth + 1))
        return lines

    def give(self, give: ast.Give, info: RuleInfo, depth: int) -> list[str]:
        if isinstance(give.reward, ast.Tier):
            return self.tier(give.reward, info, depth)
        written = self.money(give, give.reward, info, depth)
        if written is not None:
            return written
        pad = "    " * depth
        make = self.source.const(self.closure_reward(give, give.reward, info))
        return [f"{pad}reward = {make}(f, _NO_ENV)", f"{pad}if reward is not None:",
                f"{pad}    due.append((reward, reward.amount))"]

    def tier(self, tier: ast.Tier, info: RuleInfo, depth: int) -> list[str]:
        pad, src = "    " * depth, self.source
        subject = src.temp()
        lines = [f"{pad}{subject} = {src.expr(tier.subject)}"]
        keyword = "if"
        for arm in tier.arms:
            if arm.bound is None:
                lines += [f"{pad}else:" if keyword == "elif" else f"{pad}if True:",
                          *self.give(arm.give, info, depth + 1)]
                return lines
            bound = src.exprs.compile(arm.bound, frozenset())
            test = (src.at_least(subject, bound.constant) if bound.is_constant else
                    f"_compare({src.const('>=')}, {subject}, {src.expr(arm.bound)})")
            lines += [f"{pad}{keyword} {test}:", *self.give(arm.give, info, depth + 1)]
            keyword = "elif"
        return lines

    def money(self, give: ast.Give, spec: ast.RewardSpec, info: RuleInfo,
              depth: int) -> list[str] | None:
        """A money `give` whose percent and cap are fixed by the source; None otherwise."""
        if spec.kind != "amount" or spec.value is None:
            return None
        src, pad = self.source, "    " * depth
        cap = None
        if give.max_amount is not None:
            node = src.exprs.compile(give.max_amount, frozenset())
            if not (node.is_constant and type(node.constant) is Money):
                return None
            cap = node.constant
        value = src.exprs.compile(spec.value, frozenset())
        amount, percent = src.temp(), None
        if value.is_constant and type(value.constant) is Money and cap is None:
            given = value.constant
            if given.amount <= 0:
                return [f"{pad}pass"]
            pair = (self.template(give, info, given, None, None), given)
            src.fixed_pairs.append(id(pair))
            return [f"{pad}due.append({src.const(pair)})"]
        if value.is_constant and type(value.constant) is Percent:
            percent = value.constant.value
            lines = [f"{pad}{amount} = {ORDER_SOURCE}.total.percent({src.const(percent)})"]
        elif (isinstance(spec.value, ast.Binary) and spec.value.op == "of" and (
                node := src.exprs.compile(spec.value.left, frozenset())).is_constant
                and type(node.constant) is Percent):
            share, whole = src.const(node.constant.value), src.const(node.constant)
            base, given = src.temp(), src.temp()
            lines = [f"{pad}{base} = {src.expr(spec.value.right)}",
                     f"{pad}if type({base}) is _Money:",
                     f"{pad}    try:", f"{pad}        {given} = {base}.percent({share})",
                     f"{pad}    except Exception:  # the generic operation raises the error",
                     f"{pad}        {given} = _arith('of', {whole}, {base})",
                     f"{pad}else:", f"{pad}    {given} = _arith('of', {whole}, {base})",
                     f"{pad}{amount} = {given} if type({given}) is _Money and "
                     f"{given}.currency == f.currency else _as_money({given}, f.currency)"]
        else:
            return None
        if cap is not None:
            limit = src.const(cap)
            lines += [f"{pad}if {amount} > {limit}:",
                      f"{pad}    {amount} = min({amount}, {limit})"]
        template = src.const(self.template(give, info, None, percent, cap))
        return [*lines, f"{pad}if {amount}.amount > 0:",
                f"{pad}    due.append(({template}, {amount}))"]

    @staticmethod
    def template(give: ast.Give, info: RuleInfo, amount: Money | None, percent: Any,
                 cap: Money | None) -> Reward:
        return Reward(kind="money", amount=amount, percent=percent, max_amount=cap,
                      delivery=give.delivery or "gift_card", **reward_fixed(give, info))
