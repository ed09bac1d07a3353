"""The fast path: the checked AST made into Python that decides what the interpreter decides.

Each program becomes one generated function (rules/evaluate/compile_source.py): source made from the
checked AST only, never from merchant text, with every literal a Python value passed in as a
constant. What it does not write out runs as the closures below, called from that source. A
compiled evaluator is immutable and safe to share between threads. Its meaning is the
interpreter's: property tests compare the two on random programs and facts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rules.checker import RuleInfo
from rules.evaluate.compile_cost import expr_steps, most_lines, rule_steps
from rules.evaluate.compile_expr import ExprCompiler, Fn, at_least, yields_bool
from rules.evaluate.compile_source import Finish, program_function
from rules.evaluate.decision import Decision, Reward, reward_with_amount
from rules.evaluate.interpreter import Interpreter
from rules.evaluate.rewards import reward_fixed, reward_maker
from rules.evaluate.values import compare
from rules.facts import Facts, Missing, MoneyError, Trigger, first_order_in_channel
from rules.source import EvaluationError
from rules.syntax import ast

# A statement: (facts, env, rewards so far) -> the `hold` it set, if any.
StmtFn = Callable[[Facts, dict, list], Any]
RuleFn = Callable[[Facts, list], None]
_NO_ENV: dict = {}


class CompiledEvaluator:
    """`run(facts, program_hash="")` returns the Decision `Interpreter.run(facts, record=False)`
    returns; `run` is the program's generated function itself (rules/evaluate/compile_source.py)."""

    __slots__ = ("_fallback", "_nothing", "run")

    def __init__(self, node: ast.ProgramNode, currency: str | None, rules: list[RuleInfo],
                 fallback: Interpreter) -> None:
        init = functools.partial(object.__setattr__, self)
        init("_fallback", fallback)
        init("_nothing", {})  # program hash -> the Decision of no rewards (one shared object)
        compiler = StatementCompiler(currency)
        rule_nodes = [item for item in node.items if isinstance(item, ast.Rule)]
        cap_nodes = [i for i in node.items
                     if isinstance(i, ast.LimitDecl) and i.kind == "per_order"]
        caps_steps = _sum_steps(expr_steps(cap.cap) for cap in cap_nodes)
        grouped: dict[Trigger, list[tuple[ast.Rule, RuleInfo]]] = {}
        for rule, info in zip(rule_nodes, rules, strict=True):
            grouped.setdefault(rule.trigger.trigger, []).append((rule, info))
        groups = {}
        for trigger, pairs in grouped.items():
            steps = _sum_steps([caps_steps, *(rule_steps(rule) for rule, _ in pairs)])
            groups[trigger] = (pairs, most_lines(steps, fallback.max_steps))
        finish = Finish(
            interpret=lambda facts, program_hash: fallback.run(
                facts, record=False, program_hash=program_hash),
            keeps_money=fallback.guard.money_check(), sure_limits=_sure_limits(fallback, currency),
            nothing=self._none,
            nothings=self._nothing, guarded=self._guarded)
        init("run", program_function(
            groups, cap_nodes, most_lines(caps_steps, fallback.max_steps), currency, finish,
            compiler.rule,
            lambda give, spec, info: compiler.reward(give, spec, frozenset(), info)))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a compiled program is immutable")

    def _none(self, program_hash: str) -> Decision:
        nothing = self._nothing.get(program_hash)
        if nothing is None:
            nothing = self._nothing.setdefault(program_hash, Decision((), (), (), program_hash))
        return nothing

    def _guarded(self, facts: Facts, due: list, program_hash: str) -> Decision:
        """The guard over every reward decided (guard.py), as the interpreter applies it."""
        rewards = [reward_with_amount(template, amount) for template, amount in due]
        try:
            kept, refused = self._fallback.guard.apply(rewards, facts)
        except MoneyError as exc:  # an order whose figures mix currencies
            raise EvaluationError(f"cannot evaluate these facts: {exc}") from exc
        return Decision(tuple(kept), (), (), program_hash, refused)


def _sure_limits(fallback: Interpreter, currency: str | None) -> tuple | None:
    if currency is None:
        return None
    try:
        return fallback.guard.sure_limits(currency)
    except MoneyError:  # a currency money cannot be made in: the guard words it at run time
        return None


def _sum_steps(polys) -> tuple[int, ...]:
    polys = list(polys)
    width = max((len(p) for p in polys), default=0)
    return tuple(sum(p[i] for p in polys if i < len(p)) for i in range(width))


def _condition(fn: Fn, plain: bool) -> Callable[[Facts, dict], bool]:
    """A condition that cannot be read for this event (no order, no last order) does not hold.
    `plain`: the expression already yields a real bool."""
    if plain:
        def held_plain(f: Facts, env: dict) -> bool:
            try:
                return fn(f, env)  # type: ignore[return-value]
            except Missing:
                return False
        return held_plain

    def held(f: Facts, env: dict) -> bool:
        try:
            return bool(fn(f, env))
        except Missing:
            return False
    return held


class StatementCompiler:
    def __init__(self, currency: str | None) -> None:
        self.exprs = ExprCompiler(currency)

    def condition(self, e: ast.Expr, scope: frozenset[str]) -> Callable[[Facts, dict], bool]:
        return _condition(self.exprs.compile(e, scope).fn, yields_bool(e))

    def rule(self, rule: ast.Rule, info: RuleInfo) -> RuleFn:
        spec = rule.trigger
        periods, channel, contest = spec.periods, spec.channel, spec.contest
        when = self.exprs.compile(rule.when, frozenset()).fn if rule.when is not None else None
        body = self.block(rule.body, frozenset(), info)

        first_in_channel = spec.trigger is Trigger.FIRST_ORDER_IN_CHANNEL

        def run_rule(f: Facts, rewards: list) -> None:
            if first_in_channel and not first_order_in_channel(f):
                return
            if periods is not None:
                missed = f.customer.periods_missed if f.customer else 0
                if missed < periods:
                    return
            if channel is not None and f.channel != channel:
                return
            if contest is not None and (f.contest is None or f.contest.name != contest):
                return
            if when is not None:
                try:
                    if not when(f, _NO_ENV):
                        return
                except Missing:  # a condition that cannot be read does not hold
                    return
            start = len(rewards)
            hold = body(f, _NO_ENV, rewards)
            if hold is not None:
                for index in range(start, len(rewards)):
                    reward = rewards[index]
                    if reward.hold_days is None:
                        rewards[index] = replace(reward, hold_days=hold.days,
                                                 hold_after=hold.after or "payment")
        return run_rule

    def block(self, stmts: tuple[ast.Stmt, ...], scope: frozenset[str], info: RuleInfo) -> StmtFn:
        steps: list[tuple[str, Any]] = []
        for stmt in stmts:
            if isinstance(stmt, ast.Let):
                steps.append(("let", (stmt.name, self.exprs.compile(stmt.value, scope).fn)))
                scope = scope | {stmt.name}
            elif isinstance(stmt, ast.Hold):
                steps.append(("hold", stmt))
            elif isinstance(stmt, ast.If):
                steps.append(("if", self.if_stmt(stmt, scope, info)))
            elif isinstance(stmt, ast.Give):
                steps.append(("give", self.give(stmt, scope, info)))
        has_let = any(kind == "let" for kind, _ in steps)
        if len(stmts) == 1 and isinstance(stmts[0], ast.Give) and isinstance(
                stmts[0].reward, ast.RewardSpec):
            return _single_reward(self.reward(stmts[0], stmts[0].reward, scope, info))

        def run_block(f: Facts, env: dict, rewards: list):
            hold = None
            if has_let:
                env = dict(env)
            for kind, step in steps:
                try:
                    if kind == "give":
                        step(f, env, rewards)
                    elif kind == "let":
                        env[step[0]] = step[1](f, env)
                    elif kind == "hold":
                        hold = step
                    else:
                        hold = step(f, env, rewards) or hold
                except Missing:  # this event lacks a fact the statement reads: skip it
                    if kind == "let":
                        return hold  # later statements may need the value
            return hold
        return run_block

    def if_stmt(self, stmt: ast.If, scope: frozenset[str], info: RuleInfo) -> StmtFn:
        branches = tuple((self.condition(b.condition, scope), self.block(b.body, scope, info))
                         for b in stmt.branches)
        otherwise = self.block(stmt.else_body, scope, info) if stmt.else_body is not None else None

        def run_if(f: Facts, env: dict, rewards: list):
            for condition, body in branches:
                if condition(f, env):
                    return body(f, env, rewards)
            if otherwise is not None:
                return otherwise(f, env, rewards)
            return None
        return run_if

    def give(self, give: ast.Give, scope: frozenset[str], info: RuleInfo) -> StmtFn:
        if isinstance(give.reward, ast.Tier):
            return self.tier(give.reward, scope, info)
        make = self.reward(give, give.reward, scope, info)

        def run_give(f: Facts, env: dict, rewards: list) -> None:
            reward = make(f, env)
            if reward is not None:
                rewards.append(reward)
        return run_give

    def tier(self, tier: ast.Tier, scope: frozenset[str], info: RuleInfo) -> StmtFn:
        subject = self.exprs.compile(tier.subject, scope).fn
        arms = tuple((self.arm_test(arm.bound, scope), self.give(arm.give, scope, info))
                     for arm in tier.arms)

        def run_tier(f: Facts, env: dict, rewards: list) -> None:
            value = subject(f, env)
            for reached, give in arms:
                if reached is None or reached(value, f, env):
                    give(f, env, rewards)
                    return
        return run_tier

    def arm_test(self, bound: ast.Expr | None, scope: frozenset[str]):
        """Whether a tier's subject reached this arm's bound (None: the `else` arm)."""
        if bound is None:
            return None
        node = self.exprs.compile(bound, scope)
        if node.is_constant:
            test = at_least(node.constant, self.exprs.currency)
            return lambda value, _f, _env: test(value)
        read = node.fn
        return lambda value, f, env: compare(">=", value, read(f, env))

    def reward(self, give: ast.Give, spec: ast.RewardSpec, scope: frozenset[str],
               info: RuleInfo) -> Callable[[Facts, dict], Reward | None]:
        value = self.exprs.compile(spec.value, scope).fn if spec.value is not None else None
        cap = self.exprs.compile(give.max_amount, scope).fn if (
            give.max_amount is not None) else None
        return reward_maker(spec, give.delivery, value, cap, reward_fixed(give, info))


def _single_reward(make: Callable[[Facts, dict], Reward | None]) -> StmtFn:
    """A block of one plain `give`: the common case, in one closure."""
    def run_block(f: Facts, env: dict, rewards: list) -> None:
        try:
            reward = make(f, env)
        except Missing:  # this event lacks a fact the reward reads: skip it
            return
        if reward is not None:
            rewards.append(reward)
    return run_block
