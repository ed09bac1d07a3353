"""The reference meaning of a program: walks the checked AST over one set of facts.

It records why (every condition with the values it saw) when asked, and nearest-miss hints
such as "spend 20.01 USD more to earn 50 USD". Bounded by a step limit; `now` comes from facts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from rules.checker import RuleInfo
from rules.evaluate.caps import cap_limit, rewards_capped
from rules.evaluate.decision import Decision, Percent, Reward, TraceStep
from rules.evaluate.explain import Explanations
from rules.evaluate.guard import Guard
from rules.evaluate.rewards import reward_built, reward_fixed
from rules.evaluate.run import Run
from rules.evaluate.values import arithmetic, as_money, compare, negate, show
from rules.facts import (
    LINE_FIELDS,
    Facts,
    Missing,
    Money,
    MoneyError,
    Trigger,
    fact_named,
    first_order_in_channel,
)
from rules.source import EvaluationError
from rules.syntax import ast, expr_text

MAX_STEPS = 100_000


class Interpreter(Explanations):
    def __init__(self, node: ast.ProgramNode, currency: str | None, rules: list[RuleInfo],
                 max_steps: int = MAX_STEPS, guard: Guard | None = None) -> None:
        self.node = node
        self.currency = currency
        self.guard = guard if guard is not None else Guard(None, {})
        self.max_steps = max_steps
        self.rules = [
            (item, info) for item, info in zip(
                (i for i in node.items if isinstance(i, ast.Rule)), rules, strict=True
            )
        ]
        self.caps = [
            i for i in node.items if isinstance(i, ast.LimitDecl) and i.kind == "per_order"
        ]

    def run(self, facts: Facts, *, record: bool = True, program_hash: str = "") -> Decision:
        if self.currency is not None and facts.currency != self.currency:
            raise EvaluationError(
                f"the program is in {self.currency} but these facts are in {facts.currency}"
            )
        run = Run(facts, facts.currency, record)
        try:
            for rule, info in self.rules:
                if rule.trigger.trigger is facts.trigger:
                    self.rule(run, rule, info)
            self.apply_caps(run)
            kept, refused = self.guard.apply(run.rewards, facts, note=lambda refusal: (
                run.record and run.trace.append(TraceStep(
                    refusal.reward.rule_line, 1, "refused", refusal.describe()))))
        except (MoneyError, InvalidOperation) as exc:  # facts mixing currencies, absurd sizes
            raise EvaluationError(f"cannot evaluate these facts: {exc}") from exc
        return Decision(tuple(kept), tuple(run.trace), tuple(dict.fromkeys(run.hints)),
                        program_hash, refused)

    # ---- rules and statements
    def rule(self, run: Run, rule: ast.Rule, info: RuleInfo) -> None:
        run.note(rule, "rule", info.label)
        spec = rule.trigger
        try:
            if spec.periods is not None:
                missed = run.facts.customer.periods_missed if run.facts.customer else 0
                if missed < spec.periods:
                    run.note(rule, "skip", f"asleep for {spec.periods} periods", False,
                             f"periods missed = {missed}")
                    return
            if spec.trigger is Trigger.FIRST_ORDER_IN_CHANNEL and not first_order_in_channel(
                    run.facts):
                run.note(rule, "skip", "first order in channel", False,
                         "earlier paid orders in this channel")
                return
            if spec.channel is not None and run.facts.channel != spec.channel:
                run.note(rule, "skip", f'channel "{spec.channel}"', False, run.facts.channel)
                return
            if spec.contest is not None and (
                    run.facts.contest is None or run.facts.contest.name != spec.contest):
                run.note(rule, "skip", f'contest "{spec.contest}"', False,
                         run.facts.contest.name if run.facts.contest else "no contest")
                return
            if rule.when is not None and not self.condition(run, rule.when, {}, rule.body):
                return
        except Missing as missing:
            run.note(rule, "skip", f"no {missing.what} for this event", False)
            return
        start = len(run.rewards)
        hold = self.block(run, rule.body, {}, rule, info)
        if hold is not None:
            for index in range(start, len(run.rewards)):
                reward = run.rewards[index]
                if reward.hold_days is None:
                    run.rewards[index] = replace(reward, hold_days=hold.days,
                                                 hold_after=hold.after or "payment")

    def block(self, run: Run, stmts, env: dict, rule: ast.Rule, info: RuleInfo):
        hold = None
        env = dict(env)
        for stmt in stmts:
            self.tick(run)
            try:
                if isinstance(stmt, ast.Give):
                    self.give(run, stmt, env, rule, info)
                elif isinstance(stmt, ast.Let):
                    env[stmt.name] = self.eval(run, stmt.value, env)
                    run.note(stmt, "let", stmt.name, None, show(env[stmt.name]))
                elif isinstance(stmt, ast.Hold):
                    hold = stmt
                elif isinstance(stmt, ast.If):
                    hold = self.if_stmt(run, stmt, env, rule, info) or hold
            except Missing as missing:
                run.note(stmt, "skip", f"no {missing.what} for this event", False)
                if isinstance(stmt, ast.Let):
                    return hold  # later statements may need the value: the rest is skipped
        return hold

    def if_stmt(self, run: Run, stmt: ast.If, env: dict, rule: ast.Rule, info: RuleInfo):
        for branch in stmt.branches:
            if self.condition(run, branch.condition, env, branch.body):
                return self.block(run, branch.body, env, rule, info)
        if stmt.else_body is not None:
            return self.block(run, stmt.else_body, env, rule, info)
        return None

    def condition(self, run: Run, cond: ast.Expr, env: dict, body) -> bool:
        try:
            held = bool(self.eval(run, cond, env))
        except Missing as missing:
            run.note(cond, "condition", expr_text(cond), False, f"no {missing.what}")
            return False
        if run.record:
            run.note(cond, "condition", expr_text(cond), held, self.values_seen(run, cond, env))
            if not held:
                self.miss_hint(run, cond, env, body)
        return held

    # ---- rewards
    def give(self, run: Run, give: ast.Give, env: dict, rule: ast.Rule, info: RuleInfo) -> None:
        if isinstance(give.reward, ast.Tier):
            self.tier(run, give.reward, env, rule, info)
            return
        reward = self.make_reward(run, give, give.reward, env, info)
        if reward is None:
            return
        run.rewards.append(reward)
        run.note(give, "reward", reward.describe())

    def make_reward(self, run, give: ast.Give, spec: ast.RewardSpec, env, info) -> Reward | None:
        value = self.eval(run, spec.value, env) if spec.value is not None else None
        cap = as_money(self.eval(run, give.max_amount, env), run.currency) if (
            give.max_amount is not None) else None
        return reward_built(spec, give.delivery, value, cap, run.facts, reward_fixed(give, info))

    def tier(self, run: Run, tier: ast.Tier, env, rule, info) -> None:
        subject = self.eval(run, tier.subject, env)
        reached = None
        for arm in tier.arms:
            bound = self.eval(run, arm.bound, env) if arm.bound is not None else None
            if bound is None or compare(">=", subject, bound):
                reached = arm
                break
        if run.record:
            run.note(tier, "condition", f"tier {expr_text(tier.subject)}", reached is not None,
                     f"{expr_text(tier.subject)} = {show(subject)}")
            self.tier_hint(run, tier, subject, reached, env)
        if reached is not None:
            self.give(run, reached.give, env, rule, info)

    def apply_caps(self, run: Run) -> None:
        for cap_decl in self.caps:
            try:
                limit = cap_limit(self.eval(run, cap_decl.cap, {}), run.facts, run.currency)
            except Missing:
                continue
            if limit is not None:
                run.rewards = rewards_capped(
                    run.rewards, limit=limit, recipient=cap_decl.recipient,
                    note=lambda text, decl=cap_decl: run.note(decl, "cap", text))

    # ---- expressions
    def tick(self, run: Run) -> None:
        run.steps += 1
        if run.steps > self.max_steps:
            raise EvaluationError(f"evaluation took more than {self.max_steps} steps")

    def eval(self, run: Run, e: ast.Expr, env: dict) -> object:
        self.tick(run)
        match e:
            case ast.Number(value=value):
                return value
            case ast.MoneyLit(amount=amount, currency=currency):
                return Money.of(amount, currency)
            case ast.PercentLit(value=value):
                return Percent(value)
            case ast.DurationLit(days=days):
                return timedelta(days=days)
            case ast.StringLit(value=value):
                return value
            case ast.DateLit(value=value):
                return value
            case ast.BoolLit(value=value):
                return value
            case ast.Name():
                return self.name(run, e, env)
            case ast.ListLit(items=items):
                return tuple(self.eval(run, i, env) for i in items)
            case ast.Unary(op="not", operand=operand):
                return not self.eval(run, operand, env)
            case ast.Unary(operand=operand):
                return negate(self.eval(run, operand, env))
            case ast.Binary(op="and"):
                return bool(self.eval(run, e.left, env)) and bool(self.eval(run, e.right, env))
            case ast.Binary(op="or"):
                return bool(self.eval(run, e.left, env)) or bool(self.eval(run, e.right, env))
            case ast.Binary(op=op):
                return arithmetic(op, self.eval(run, e.left, env), self.eval(run, e.right, env))
            case ast.Compare(op=op):
                return compare(op, self.eval(run, e.left, env), self.eval(run, e.right, env))
            case ast.Aggregate():
                return self.aggregate(run, e, env)
            case ast.Call(func=func, args=args):
                values = [self.eval(run, a, env) for a in args]
                money = next((v for v in values if isinstance(v, Money)), None)
                if money is not None:
                    values = [as_money(v, money.currency) for v in values]
                try:
                    return min(values) if func == "min" else max(values)  # type: ignore[type-var]
                except MoneyError as exc:
                    raise EvaluationError(str(exc)) from exc
        raise EvaluationError(f"cannot evaluate {type(e).__name__}")

    def name(self, run: Run, e: ast.Name, env: dict) -> object:
        head = e.parts[0]
        if head in env:
            value = env[head]
            if len(e.parts) == 2:  # a line's field
                return LINE_FIELDS[e.parts[1]][1](value)
            return value
        found = fact_named(e.dotted)
        if found is None:
            raise EvaluationError(f"unknown name {e.dotted}")
        return found[1].read(run.facts)

    def aggregate(self, run: Run, e: ast.Aggregate, env: dict) -> object:
        lines = self.eval(run, e.source, env)
        scoped = dict(env)
        total: object = None
        count = 0
        # In the short form `any(lines where c)` / `all(lines where c)` the `where` is the test.
        where_is_test = e.item is None and e.func in ("any", "all")
        for line in lines:  # type: ignore[attr-defined]
            scoped[e.var] = line
            if where_is_test:
                held = e.where is None or bool(self.eval(run, e.where, scoped))
                if held == (e.func == "any"):
                    return held
                continue
            if e.where is not None and not self.eval(run, e.where, scoped):
                continue
            if e.func == "sum":
                item = line.total_price if e.item is None else self.eval(run, e.item, scoped)
                total = item if total is None else arithmetic("+", total, item)
            elif e.func == "count":
                count += 1 if e.item is None or self.eval(run, e.item, scoped) else 0
            else:
                held = True if e.item is None else bool(self.eval(run, e.item, scoped))
                if e.func == "any" and held:
                    return True
                if e.func == "all" and not held:
                    return False
        if e.func == "sum":
            if total is None:
                is_money = e.item is None or _sums_money(e.item)
                return Money.zero(run.currency) if is_money else Decimal(0)
            return total
        if e.func == "count":
            return count
        return e.func == "all"


def _sums_money(item: ast.Expr) -> bool:
    return isinstance(item, ast.Name) and item.parts[-1] in ("total", "price", "unit_price")
