"""The checker: names, types, currencies, rewards, reachability and cost, all in one linear pass.

It never stops at the first problem: every diagnostic is collected, then `rules.check` fails once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rules.checker.analysis import (
    Bound,
    Cost,
    Range,
    Ranges,
    max_cost,
    money_bound,
    narrow,
    node_count,
    order_cap,
)
from rules.checker.cost import RuleBound
from rules.checker.decl_check import DeclarationChecker
from rules.checker.expr_check import ERROR, MAX_DEPTH, Typed
from rules.checker.overlap import overlap_message, overlapping_rules
from rules.checker.program_data import RuleInfo
from rules.checker.value_check import ValueChecker
from rules.facts import NUMERIC, ORDER_TRIGGERS, Trigger, Type, fact_named
from rules.source import Diagnostic, Span
from rules.syntax import ast, expr_text, gives_in, reward_text


@dataclass
class CheckOutcome:
    """Everything the checker learned; `rules.evaluate.program` turns it into a Program."""

    node: ast.ProgramNode
    currency: str | None
    diagnostics: list[Diagnostic]
    rules: list[RuleInfo] = field(default_factory=list)
    limits: list = field(default_factory=list)
    budgets: list = field(default_factory=list)
    contests: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    costs: dict[Trigger, Cost] = field(default_factory=dict)
    exceeding: list[int] = field(default_factory=list)  # lines of rewards that can exceed the total
    bounds: dict[int, RuleBound] = field(default_factory=dict)  # each rule's worst case, by line
    ceiling: Decimal | None = None  # `ceiling 1000 USD`, as written


class Checker(ValueChecker, DeclarationChecker):
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.diagnostics: list[Diagnostic] = []
        self.header_currency: str | None = None
        self.inferred_currency: str | None = None
        self.scopes: list[dict[str, Type]] = [{}]
        self.trigger: Trigger | None = None
        self.reads_order = False
        self.exceeding: list[int] = []
        self.in_expectation = False
        self.let_bounds: dict[str, Bound | None] = {}
        self.last_bound: Bound | None = None
        self.order_caps: list[tuple[str | None, Decimal | None, Decimal | None]] = []

    def program(self, node: ast.ProgramNode) -> CheckOutcome:
        if node.header is not None and node.header.currency is not None:
            self.check_currency(node.header.currency, node.header.currency_span or node.span)
            self.header_currency = node.header.currency
        outcome = CheckOutcome(node, None, self.diagnostics)
        ceilings: list[ast.CeilingDecl] = []
        # Per-order caps hold wherever they are written: they silence what they make impossible.
        self.order_caps = [(item.recipient, *order_cap(item.cap)) for item in node.items
                           if isinstance(item, ast.LimitDecl) and item.kind == "per_order"]
        for item in node.items:
            self.scopes = [{}]
            self.trigger = None
            if isinstance(item, ast.Rule):
                info, cost = self.rule(item)
                outcome.rules.append(info)
                previous = outcome.costs.get(info.trigger, Cost())
                outcome.costs[info.trigger] = previous + cost
                same_line = outcome.bounds.get(info.line)
                slack = node_count(item)
                outcome.bounds[info.line] = RuleBound(cost, slack) if same_line is None else (
                    RuleBound(same_line.cost + cost, same_line.slack + slack))
            elif isinstance(item, ast.LimitDecl):
                outcome.limits.append(self.limit(item))
            elif isinstance(item, ast.BudgetDecl):
                outcome.budgets.append(self.budget(item))
            elif isinstance(item, ast.CeilingDecl):
                if ceilings:
                    self.error(item.span, "a program has one ceiling",
                               f"the first is at line {ceilings[0].span.line}")
                ceilings.append(item)
                outcome.ceiling = self.money_amount(item.amount, "a ceiling") or outcome.ceiling
            elif isinstance(item, ast.Contest):
                outcome.contests.append(self.contest(item))
        # Examples last: their money defaults to the currency the rules settled on.
        for item in node.items:
            if isinstance(item, ast.Example):
                self.scopes = [{}]
                outcome.examples.append(self.example(item))
        self.check_contest_names(outcome.contests, node)
        rules = [item for item in node.items if isinstance(item, ast.Rule)]
        self.check_contest_end_rules(rules, outcome.contests)
        for overlap in overlapping_rules(rules):
            self.warn(overlap.rule.span, *overlap_message(overlap))
        if not any(isinstance(i, ast.Rule) for i in node.items) and not outcome.contests:
            self.warn(node.span, "this program has no rules", "start one with `on order paid:`")
        outcome.currency = self.header_currency or self.inferred_currency
        outcome.exceeding = sorted(set(self.exceeding))
        return outcome

    def check_contest_end_rules(self, rules: list[ast.Rule], contests: list) -> None:
        """`on contest end "X"` names a contest of the program and rewards only its entrant."""
        names = [contest.name for contest in contests]
        for rule in rules:
            spec = rule.trigger
            if spec.trigger is not Trigger.CONTEST_END:
                continue
            if spec.contest is not None and spec.contest not in names:
                self.error(spec.span, f"this program has no contest named \"{spec.contest}\"",
                           self.suggest(spec.contest, names))
            for give in gives_in(rule.body):
                if give.recipient != "referrer":
                    self.error(give.span, "a contest end rule rewards the entrant: write "
                                          "`give referrer …`")

    # ---- rules
    def rule(self, rule: ast.Rule) -> tuple[RuleInfo, Cost]:
        spec = rule.trigger
        self.trigger = spec.trigger
        self.reads_order = False
        self.let_bounds = {}
        if spec.periods is not None and spec.periods < 1:
            self.error(spec.span, "a customer is asleep for at least 1 whole period")
        ranges: Ranges | None = {}
        if spec.trigger in ORDER_TRIGGERS:
            ranges = {"order_total": Range(lo=Decimal(0))}
        if rule.when is not None:
            self.expect_bool(rule.when)
            ranges = narrow(ranges, rule.when, True)
            if ranges is None:
                self.warn(rule.when.span, "this rule can never fire: its condition never holds")
                ranges = {}
        if self.reads_order and rule.when is not None:
            self.warn(
                spec.span, f"this rule can never fire: `{spec.trigger.value}` events have no order",
                "use an order trigger such as `order paid`",
            )
        cost, gives = self.block(rule.body, ranges, 0)
        if gives == 0:
            self.warn(rule.span, "this rule gives nothing")
        label = rule.label or f"{spec.trigger.value} rule at line {rule.span.line}"
        info = RuleInfo(spec.trigger, rule.span.line, label, spec.periods, spec.channel,
                        spec.contest)
        return info, cost

    def block(self, stmts: tuple[ast.Stmt, ...], ranges: Ranges, depth: int) -> tuple[Cost, int]:
        if depth > MAX_DEPTH:
            self.error(stmts[0].span, f"blocks nest too deeply (limit {MAX_DEPTH})")
            return Cost(), 1
        self.scopes.append({})
        total, gives = Cost(), 0
        try:
            for stmt in stmts:
                if isinstance(stmt, ast.Let):
                    self.let(stmt)
                elif isinstance(stmt, ast.Hold):
                    self.check_days(stmt.days, stmt.span, "hold")
                elif isinstance(stmt, ast.Give):
                    total += self.give(stmt, ranges)
                    gives += 1
                elif isinstance(stmt, ast.If):
                    cost, count = self.if_stmt(stmt, ranges, depth)
                    total += cost
                    gives += count
        finally:
            self.scopes.pop()
        return total, gives

    def let(self, stmt: ast.Let) -> None:
        self.let_bounds[stmt.name] = money_bound(stmt.value, self.let_bounds, _canonical)
        if fact_named(stmt.name) is not None:
            self.error(stmt.span, f"`{stmt.name}` is already a fact", "choose another name")
        elif self.lookup_scope(stmt.name) is not None:
            self.error(stmt.span, f"`{stmt.name}` is already defined")
        typed = self.expr(stmt.value)
        self.scopes[-1][stmt.name] = typed.type

    def if_stmt(self, stmt: ast.If, ranges: Ranges, depth: int) -> tuple[Cost, int]:
        current: Ranges | None = ranges
        worst, gives = Cost(), 0
        seen: set[str] = set()
        for branch in stmt.branches:
            self.expect_bool(branch.condition)
            text = expr_text(branch.condition)
            taken = narrow(current, branch.condition, True) if current is not None else None
            if current is None or text in seen:
                self.warn(branch.condition.span,
                          "this branch can never run: an earlier condition already covers it")
            elif taken is None:
                self.warn(branch.condition.span, "this branch can never run: its condition "
                                                 "never holds here")
            cost, count = self.block(branch.body, taken or ranges, depth + 1)
            worst, gives = max_cost(worst, cost), gives + count
            seen.add(text)
            current = narrow(current, branch.condition, False) if current is not None else None
        if stmt.else_body is not None:
            if current is None:
                self.warn(stmt.else_body[0].span,
                          "this `else` can never run: the conditions before it always hold")
            cost, count = self.block(stmt.else_body, current or ranges, depth + 1)
            worst, gives = max_cost(worst, cost), gives + count
        return worst, gives

    # ---- rewards
    def give(self, give: ast.Give, ranges: Ranges) -> Cost:
        if isinstance(give.reward, ast.Tier):
            return self.tier(give.reward, ranges)
        spec = give.reward
        self.last_bound = None
        cost = self.reward(spec, give, ranges)
        cap_const: Decimal | None = None
        if give.delivery is not None and spec.kind != "amount":
            self.error(give.span, "only money rewards are paid as a gift card or store credit")
        if give.hold_days is not None:
            self.check_days(give.hold_days, give.span, "hold")
        if give.expires_days is not None:
            self.check_days(give.expires_days, give.span, "expiry", minimum=1)
        if give.max_amount is not None:
            cap = self.expr(give.max_amount)
            if spec.kind == "points":
                self.error(give.max_amount.span, "`max` caps money, not points")
            elif not self.compatible(Type.MONEY, cap) and cap.type is not Type.ERROR:
                self.error(give.max_amount.span, f"`max` expects Money, found {cap.type}")
            elif cap.const is not None and not cost.next_order:
                # A percent voucher is issued as its percent: `max` bounds no figure of it.
                cost = cost.capped(cap.const)
                cap_const = cap.const
        self.check_exceeding(give, spec, ranges, cap_const)
        return cost

    def check_exceeding(self, give: ast.Give, spec: ast.RewardSpec, ranges: Ranges,
                        cap: Decimal | None) -> None:
        """Warn when this money reward or discount can be more than the order total."""
        bound = self.last_bound
        if bound is None or self.in_expectation or self.trigger not in ORDER_TRIGGERS:
            return
        floor = ranges.get("order_total", Range()).lo or Decimal(0)
        if not bound.can_exceed_total(floor) or (cap is not None and cap <= floor):
            return
        if any(recipient in (None, give.recipient) and (
                (percent is not None and percent <= 100) or (fixed is not None and fixed <= floor))
               for recipient, fixed, percent in self.order_caps):
            return  # `limit reward <= 10% of order_total` keeps it within the total
        sure = f" (only orders over {floor} are sure)" if floor else ""
        self.flag_exceeding(give, f"{reward_text(spec)} can exceed the order total{sure}")

    def reward(self, spec: ast.RewardSpec, give: ast.Give, ranges: Ranges) -> Cost:
        if spec.kind == "free_product" and not (spec.product or "").strip():
            self.error(product_slug_span(spec), "a free product needs the product's slug",
                       'e.g. `free product "tote-bag"`')
        if spec.kind == "free_shipping":
            now = not spec.next_order and self.trigger is Trigger.CHECKOUT
            return Cost(extras=frozenset({"free shipping" if now else
                                          "free shipping on next order"}))
        if spec.kind == "free_product":
            return Cost(extras=frozenset({f'free product "{(spec.product or "").strip()}"'}))
        errors_before = len(self.diagnostics)
        typed = self.expr(spec.value) if spec.value is not None else ERROR
        if typed.type is Type.ERROR or any(
            d.is_error for d in self.diagnostics[errors_before:]
        ):
            return Cost()
        if spec.value is not None and typed.const is not None and typed.const < 0:
            self.error(spec.value.span, "a reward cannot be negative")
            return Cost()
        if spec.kind == "points":
            if typed.type is not Type.INT and not (typed.type in NUMERIC and typed.const is not None
                                                   and typed.const == typed.const.to_integral()):
                self.error(spec.value.span, f"points are a whole number, found {typed.type}")
            return Cost()
        if spec.kind == "discount" and not self.in_expectation and self.trigger not in (
            Trigger.CHECKOUT, None
        ):
            self.error(spec.span, "`off order` discounts apply at checkout",
                       "on later triggers give `… off next order` (a voucher)")
        is_money = typed.type is Type.MONEY or (typed.type in NUMERIC and typed.const is not None)
        if typed.type is Type.PERCENT:
            if spec.kind in ("discount", "voucher") and typed.const is not None and (
                    typed.const > 100):
                what = "a voucher" if spec.kind == "voucher" else "a discount"
                self.error(spec.value.span, f"{what} takes at most 100% off, not "
                                            f"{typed.const}%")
                return Cost()
            if spec.kind == "amount" and self.trigger is not None and (
                self.trigger not in ORDER_TRIGGERS
            ):
                self.error(spec.value.span, "a percent reward is a share of the order total, "
                                            f"and `{self.trigger.value}` has no order")
            if spec.kind == "voucher":  # a share of a next order; evaluation refuses > 100%
                return Cost(next_order=typed.const if typed.const is not None else 100)
            if typed.const is None:  # computed: a discount is held to its base at run time
                return Cost(percent=100) if spec.kind == "discount" else Cost(unbounded=True)
            self.last_bound = Bound(Decimal(0), typed.const)
            return Cost(percent=typed.const)
        if not is_money:
            self.error(spec.value.span, f"expected Money or Percent, found {typed.type}",
                       "points are written `100 points`" if typed.type in NUMERIC else None)
            return Cost()
        bound = money_bound(spec.value, self.let_bounds, _canonical)
        if spec.kind != "voucher":
            self.last_bound = bound
        if bound is None:
            return Cost(unbounded=True)
        return bound.cost()  # a voucher's amount too is worked out from this order

    def flag_exceeding(self, give: ast.Give, message: str) -> None:
        if self.in_expectation or self.trigger not in ORDER_TRIGGERS:
            return
        self.exceeding.append(give.span.line)
        self.warn(give.span, message, "guard it with a condition on order_total, or use `max`")

    def tier(self, tier: ast.Tier, ranges: Ranges) -> Cost:
        subject = self.expr(tier.subject)
        if subject.type not in (Type.MONEY, Type.INT, Type.DECIMAL, Type.ERROR):
            self.error(tier.subject.span, f"tiers need an amount or a number, found "
                                          f"{subject.type}")
        key = tier.subject.dotted if isinstance(tier.subject, ast.Name) else None
        worst, previous = Cost(), None
        for arm in tier.arms:
            arm_ranges = ranges
            if arm.bound is not None:
                bound = self.expr(arm.bound)
                if subject.type is not Type.MONEY and isinstance(arm.bound, ast.MoneyLit):
                    self.error(arm.bound.span, f"this tier's subject is {subject.type}, "
                                               "not an amount")
                if previous is not None and bound.const is not None and bound.const >= previous:
                    self.warn(arm.span, "this tier can never apply: an earlier tier already "
                                        "covers it", "list tiers from the highest down")
                if key is not None and bound.const is not None:
                    cond = ast.Compare(">=", tier.subject, arm.bound, arm.span)
                    arm_ranges = narrow(ranges, cond, True) or ranges
                previous = bound.const if bound.const is not None else previous
            worst = max_cost(worst, self.give(arm.give, arm_ranges))
        return worst

    def check_days(self, days: int, span, what: str, minimum: int = 0) -> None:
        if days < minimum:
            self.error(span, f"{what} is a whole number of days"
                             + (" (at least 1)" if minimum else ""))


def typed_is_money(typed: Typed) -> bool:
    return typed.type is Type.MONEY or (typed.type in NUMERIC and typed.const is not None)


def _canonical(dotted: str) -> str | None:
    found = fact_named(dotted)
    return found[0] if found else None

def product_slug_span(spec: ast.RewardSpec) -> Span:
    """Where a free product's slug is written: its string is the spec's last token."""
    width = len(spec.product or "") + 2
    return Span(spec.span.end_line, max(1, spec.span.end_column - width),
                spec.span.end_line, spec.span.end_column)
