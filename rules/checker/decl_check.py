"""Checks of the declarations around rules: limits, budgets, contests and example blocks."""

from __future__ import annotations

from decimal import Decimal

from rules.checker.expr_check import ERROR, ExprChecker
from rules.checker.program_data import (
    BudgetInfo,
    ContestInfo,
    ExampleInfo,
    LimitInfo,
    PrizeInfo,
)
from rules.facts import (
    ALIASES,
    CONTEST_ENTRANTS,
    CONTEST_SCORES,
    FACTS,
    MONEY_SCORES,
    NUMERIC,
    PERIODS,
    TIE_BREAKS,
    Money,
    Type,
    fact_named,
    is_currency,
)
from rules.syntax import ast, expr_text, give_value_text, names_in

# What an entrant condition may read: the entrant's own standing as a referrer.
ENTRANT_FACTS = ("referrer.orders", "referrer.total_spent", "referrer.referrals",
                 "referrer.paid_referrals")
# Who a contest ranks. Scores count the friends an entrant referred, so only referrers rank.
ENTRANT_KINDS = {"referrers": "referrer"}
UNRANKED_ENTRANTS = {
    "customers": "contests rank referrers by the friends they referred; customers who "
                 "referred nobody have no score",
    "affiliates": "affiliates are not ranked in contests yet",
}

EXAMPLE_LINE_ATTRS = {
    "sku": Type.STRING, "product": Type.STRING, "name": Type.STRING, "category": Type.STRING,
    "collection": Type.STRING, "quantity": Type.INT, "price": Type.MONEY, "total": Type.MONEY,
}


class DeclarationChecker(ExprChecker):
    """Mixin on top of ExprChecker; `give` comes from the Checker."""

    in_expectation: bool

    def period(self, period: str | None, span) -> str | None:
        if period is None:
            return None
        name = period[:-1] if period.endswith("s") and period[:-1] in PERIODS else period
        if name not in PERIODS:
            self.error(span, f"unknown period `{period}`",
                       self.suggest(period, list(PERIODS)) or "use day, week, month, quarter "
                                                              "or year")
            return None
        return name

    def money_amount(self, expr: ast.Expr, what: str) -> Decimal | None:
        typed = self.expr(expr)
        if typed.type is Type.ERROR:
            return None
        if not self.compatible(Type.MONEY, typed) or typed.const is None:
            self.error(expr.span, f"{what} is a fixed amount of money, found {typed.type}")
            return None
        if typed.const <= 0:
            self.error(expr.span, f"{what} must be more than zero")
            return None
        return typed.const

    def limit(self, decl: ast.LimitDecl) -> LimitInfo:
        if decl.kind == "per_person":
            if decl.count is None or decl.count < 1:
                self.error(decl.count_span or decl.span, "a limit counts whole rewards, at least 1",
                           "e.g. `limit referrer 5 rewards per month`")
            period = self.period(decl.period, decl.period_span or decl.span)
            return LimitInfo("per_person", decl.span.line, decl.recipient, decl.count, period)
        if decl.cap_op != "<=":
            self.error(decl.cap_op_span or decl.span, f"a cap is written `<=` or `at most`, "
                                                      f"not `{decl.cap_op}`")
        typed = self.expr(decl.cap)
        if typed.type not in (Type.MONEY, Type.PERCENT, Type.ERROR) and not (
            typed.type in NUMERIC and typed.const is not None
        ):
            self.error(decl.cap.span, f"a cap is an amount or a percent, found {typed.type}")
        return LimitInfo("per_order", decl.span.line, decl.recipient, cap_text=expr_text(decl.cap))

    def budget(self, decl: ast.BudgetDecl) -> BudgetInfo:
        amount = self.money_amount(decl.amount, "a budget")
        period = self.period(decl.period, decl.period_span or decl.span)
        currency = self.header_currency or self.inferred_currency
        money = None
        if amount is not None and currency is not None and is_currency(currency):
            money = Money.of(amount, currency)
        return BudgetInfo(money, amount or Decimal(0), period, decl.span.line)

    def contest(self, contest: ast.Contest) -> ContestInfo:
        start, end = self.expr(contest.start), self.expr(contest.end)
        del start, end
        if contest.start.value and contest.end.value and contest.end.value < contest.start.value:
            self.error(contest.end.span, "the contest ends before it starts")
        entrants = "referrer"
        if contest.entrants is not None:
            if contest.entrants in UNRANKED_ENTRANTS:
                self.error(contest.entrants_span or contest.span,
                           UNRANKED_ENTRANTS[contest.entrants], "write `entrants referrers`")
            elif contest.entrants not in ENTRANT_KINDS:
                self.error(contest.entrants_span or contest.span,
                           f"unknown entrants `{contest.entrants}`",
                           self.suggest(contest.entrants, list(CONTEST_ENTRANTS))
                           or "write `entrants referrers`")
            else:
                entrants = ENTRANT_KINDS[contest.entrants]
        if contest.entrants_where is not None:
            self.entrants_where(contest.entrants_where)
        score, score_text = "", ""
        if contest.score is None:
            self.error(contest.span, "a contest needs a score", "e.g. `score referrals.paid`")
        else:
            score_text = contest.score.dotted
            score = CONTEST_SCORES.get(score_text, "")
            if not score:
                self.error(contest.score.span, f"unknown score `{score_text}`",
                           self.suggest(score_text, list(CONTEST_SCORES)))
        minimum = None
        if contest.minimum is not None:
            typed = self.expr(contest.minimum)
            wants_money = score in MONEY_SCORES
            ok = (self.compatible(Type.MONEY, typed) if wants_money else typed.type is Type.INT)
            if typed.type is not Type.ERROR and (not ok or typed.const is None):
                want = "an amount" if wants_money else "a whole number"
                self.error(contest.minimum.span, f"the minimum of this score is {want}, "
                                                 f"found {typed.type}")
            minimum = typed.const
        prizes = self.prizes(contest)
        ties = "earliest"
        if contest.ties is not None:
            if contest.ties not in TIE_BREAKS:
                self.error(contest.ties_span or contest.span, f"unknown tie-break "
                           f"`{contest.ties}`", self.suggest(contest.ties, list(TIE_BREAKS))
                           or "use earliest, latest or split")
            else:
                ties = contest.ties
        return ContestInfo(
            contest.name, contest.start.value, contest.end.value, contest.span.line, score,
            score_text, entrants,
            expr_text(contest.entrants_where) if contest.entrants_where is not None else None,
            minimum, prizes, ties,
        )

    def entrants_where(self, condition: ast.Expr) -> None:
        """The condition sees only the entrant's standing as a referrer (ENTRANT_FACTS)."""
        unknown = [n for n in names_in(condition)
                   if (fact_named(n.dotted) or ("",))[0] not in ENTRANT_FACTS]
        for name in unknown:
            self.error(name.span, f"an entrant condition cannot read `{name.dotted}`",
                       self.suggest(name.dotted, list(ENTRANT_FACTS))
                       or "it can read " + ", ".join(ENTRANT_FACTS))
        if not unknown:
            self.expect_bool(condition)

    def prizes(self, contest: ast.Contest) -> tuple[PrizeInfo, ...]:
        taken: set[int] = set()
        prizes = []
        if not contest.prizes:
            self.warn(contest.span, "this contest has no prizes", "add `prize 1: 100 USD`")
        for prize in contest.prizes:
            if prize.first < 1 or prize.last < prize.first:
                self.error(prize.span, "prize ranks run from 1 upwards, e.g. `prize 2..3`")
                continue
            ranks = set(range(prize.first, min(prize.last, prize.first + 1000) + 1))
            if ranks & taken:
                self.error(prize.span, f"rank {min(ranks & taken)} already has a prize")
            taken |= ranks
            errors_before = sum(d.is_error for d in self.diagnostics)
            self.give(prize.give, {})
            if sum(d.is_error for d in self.diagnostics) > errors_before:
                continue  # already explained
            info = self.prize_info(prize)
            if info is not None:
                prizes.append(info)
        return tuple(prizes)

    def prize_info(self, prize: ast.Prize) -> PrizeInfo | None:
        """The prize as data the app can issue, or None after an error saying why not."""
        give, spec = prize.give, prize.give.reward
        if not isinstance(spec, ast.RewardSpec) or spec.kind == "discount":
            self.error(give.span, "a prize is money, points or a voucher off the next order",
                       "e.g. `prize 1: 100 USD`, `prize 1: 500 points`, "
                       "`prize 1: 30% off next order` or `prize 1: free product \"tote-bag\"`")
            return None
        if give.recipient != "referrer":
            self.error(give.span, "prizes go to the entrant: write `prize 1: 100 USD`")
            return None
        if give.max_amount is not None:
            # A prize is issued as written; a cap would be silently dropped on the way.
            self.error(give.max_amount.span, "a prize is a fixed value: `max` cannot cap it",
                       "a capped voucher is a fixed one: e.g. `prize 1: 20 USD off next order`")
            return None
        extra = {"description": give_value_text(give), "expires_days": give.expires_days,
                 "hold_days": give.hold_days}
        if spec.kind == "free_shipping":
            return PrizeInfo(prize.first, prize.last, "voucher", voucher_type="free_shipping",
                             **extra)
        if spec.kind == "free_product":
            return self.free_product_prize(prize, spec, extra)
        typed = self.expr(spec.value) if spec.value is not None else ERROR
        if typed.type is Type.ERROR:
            return None
        if typed.const is None:
            self.error(spec.value.span, "a prize is a fixed value, not computed from facts")
            return None
        if typed.const <= 0:
            self.error(spec.value.span, "a prize must be more than zero")
            return None
        if spec.kind == "points":
            return PrizeInfo(prize.first, prize.last, "points", points=int(typed.const), **extra)
        if typed.type is Type.PERCENT:
            if spec.kind != "voucher":
                self.error(spec.value.span, "a money prize is a fixed amount; a percent "
                                            "prize is a voucher",
                           f"write `{expr_text(spec.value)} off next order`")
                return None
            if typed.const > 100:
                self.error(spec.value.span, "a voucher takes at most 100% off")
                return None
            return PrizeInfo(prize.first, prize.last, "voucher", voucher_type="percent",
                             percent=typed.const, **extra)
        currency = self.header_currency or self.inferred_currency
        if currency is None or not is_currency(currency):
            self.error(spec.value.span, "this prize needs a currency",
                       f"write it as `{typed.const} USD`, or set the program's currency")
            return None
        amount = Money.of(typed.const, currency)
        if spec.kind == "voucher":
            return PrizeInfo(prize.first, prize.last, "voucher", amount=amount,
                             voucher_type="fixed", **extra)
        return PrizeInfo(prize.first, prize.last, "money", amount=amount,
                         delivery=give.delivery or "gift_card", **extra)

    def free_product_prize(self, prize: ast.Prize, spec: ast.RewardSpec,
                           extra: dict) -> PrizeInfo | None:
        """A voucher for one unit of the product `spec.product` (its slug in Saleor)."""
        slug = (spec.product or "").strip()
        if not slug:
            return None  # the reward check has said so at the slug
        return PrizeInfo(prize.first, prize.last, "voucher", voucher_type="free_product",
                         product=slug, **extra)

    def check_contest_names(self, contests: list[ContestInfo], node: ast.ProgramNode) -> None:
        seen: set[str] = set()
        for item in node.items:
            if isinstance(item, ast.Contest):
                if item.name in seen:
                    self.error(item.span, f"a contest named \"{item.name}\" already exists")
                seen.add(item.name)

    def example(self, example: ast.Example) -> ExampleInfo:
        self.in_expectation = True
        try:
            for entry in example.entries:
                if isinstance(entry, ast.ExampleFacts):
                    for assign in entry.assigns:
                        self.example_fact(assign)
                elif isinstance(entry, ast.ExampleLine):
                    for name, value, span in entry.attrs:
                        want = EXAMPLE_LINE_ATTRS.get(name)
                        if want is None:
                            self.error(span, f"a line has no `{name}`",
                                       self.suggest(name, list(EXAMPLE_LINE_ATTRS)))
                            continue
                        self.example_value(value, want)
                else:
                    for expectation in entry.expectations:
                        if expectation.give is not None:
                            self.give(expectation.give, {})
        finally:
            self.in_expectation = False
        return ExampleInfo(example.name, example.span.line)

    def example_fact(self, assign: ast.FactAssign) -> None:
        found = fact_named(assign.path.dotted)
        if found is None or found[1].type is Type.LINES:
            candidates = [k for k, f in FACTS.items() if f.type is not Type.LINES] + list(ALIASES)
            self.error(assign.path.span, f"an example cannot set `{assign.path.dotted}`",
                       self.suggest(assign.path.dotted, candidates)
                       or ("lines are written `line sku \"A\" price 10 USD`"
                           if assign.path.dotted == "lines" else None))
            return
        want = found[1].type
        if assign.value is None:
            if want is not Type.BOOL:
                self.error(assign.span, f"`{assign.path.dotted}` needs a value: "
                                        f"`{assign.path.dotted} = …`")
            return
        self.example_value(assign.value, want)

    def example_value(self, value: ast.Expr, want: Type) -> None:
        typed = self.expr(value)
        if typed.type is Type.ERROR:
            return
        if not self.compatible(want, typed) and not (want is Type.DATE and typed.type is Type.DATE):
            self.error(value.span, f"expected {want}, found {typed.type}")
