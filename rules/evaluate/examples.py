"""In-file `example` blocks: facts written in the language, run, and compared with `expect` lines.

The same machinery runs the golden test cases' `# facts:` / `# expect:` comments
(`run_scenario`), so both read exactly like an example block.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from rules.checker import Checker, ContestInfo, RuleInfo
from rules.evaluate.decision import Decision, Percent, Reward
from rules.evaluate.interpreter import Interpreter
from rules.evaluate.run import Run
from rules.facts import (
    ORDER_TRIGGERS,
    ContestFacts,
    CustomerFacts,
    Facts,
    LineFacts,
    Money,
    OrderFacts,
    ReferralFacts,
    ReferrerFacts,
    Trigger,
    UsageFacts,
    fact_named,
    periods_missed,
    usage_in_step,
)
from rules.source import EvaluationError, RulesError
from rules.syntax import ast, give_value_text, parse


@dataclass(frozen=True, slots=True)
class ExampleResult:
    name: str
    passed: bool
    message: str
    line: int


class Program(Protocol):
    """What running an example needs of a `rules.Program` (whose `run_examples` calls here)."""

    currency: str | None
    rules: tuple[RuleInfo, ...]
    contests: tuple[ContestInfo, ...]

    def explain(self, facts: Facts) -> Decision: ...

DEFAULT_NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
_CONST = Interpreter(ast.ProgramNode(None, (), ast.Span(1, 1, 1, 1)), None, [])


def _value(expr: ast.Expr, currency: str) -> object:
    return _CONST.eval(Run(None, currency, False), expr, {})  # type: ignore[arg-type]


def default_trigger(program: Program) -> Trigger:
    triggers = [rule.trigger for rule in program.rules]
    if Trigger.ORDER_PAID in triggers or not triggers:
        return Trigger.ORDER_PAID
    return triggers[0]


def example_facts(program: Program, example: ast.Example) -> Facts:
    trigger = example.trigger.trigger if example.trigger else default_trigger(program)
    assigns = [a for e in example.entries if isinstance(e, ast.ExampleFacts) for a in e.assigns]
    currency = program.currency or next(
        (a.value.currency for a in assigns if isinstance(a.value, ast.MoneyLit)), "USD")
    values: dict[str, object] = {}
    for assign in assigns:
        name = fact_named(assign.path.dotted)[0]  # type: ignore[index]
        values[name] = True if assign.value is None else _value(assign.value, currency)
    if isinstance(values.get("currency"), str):
        currency = str(values["currency"])
    money = {k: Money.of(v, currency) if not isinstance(v, Money) else v
             for k, v in values.items() if isinstance(v, Money | int | Decimal)
             and not isinstance(v, bool) and k in _MONEY_FACTS}
    values.update(money)
    lines = tuple(_line(e, currency) for e in example.entries if isinstance(e, ast.ExampleLine))
    now = values.get("now") or values.get("today")
    now_dt = datetime.combine(now, DEFAULT_NOW.timetz()) if now else DEFAULT_NOW
    order = None
    if trigger in ORDER_TRIGGERS or lines or any(k in values for k in _ORDER_FACTS):
        zero = Money.zero(currency)
        lines_total = sum((line.total_price for line in lines), zero)
        shipping = values.get("order_shipping", zero)
        total = values.get("order_total") or (lines_total + shipping)
        subtotal = values.get("order_subtotal") or (lines_total if lines else total - shipping)
        order = OrderFacts(
            id="example-order", currency=currency, total=total, subtotal=subtotal,
            shipping=shipping, channel=str(values.get("channel", "default-channel")),
            lines=lines, number=values.get("order.number"),
            voucher_code=values.get("order.voucher_code"), refunded=values.get("order.refunded"),
            is_paid=bool(values.get("order.is_paid", trigger is Trigger.ORDER_PAID)),
        )
    return usage_in_step(Facts(
        trigger=trigger, now=now_dt, channel=str(values.get("channel", "default-channel")),
        currency=currency, order=order, customer=_customer(values, now_dt),
        referral=ReferralFacts(
            is_referred=bool(values.get("referred", False)), code=values.get("referral.code"),
            days_since=_int(values.get("referral.days_since")),
            referrer=ReferrerFacts(
                email=values.get("referrer.email"), orders=_int(values.get("referrer.orders")) or 0,
                total_spent=values.get("referrer.total_spent"),
                referrals=_int(values.get("referrer.referrals")) or 0,
                paid_referrals=_int(values.get("referrer.paid_referrals")) or 0,
                rewards_this_month=_int(values.get("referrer.rewards_this_month")) or 0,
                segment=str(values.get("referrer.segment", "")),
            ),
        ),
        contest=_contest(program, example, trigger, values),
        usage=UsageFacts(spent=(("month", values["spent_this_month"]),))
        if "spent_this_month" in values else UsageFacts(),
    ))


def _contest(program: Program, example: ast.Example, trigger: Trigger,
             values: dict[str, object]) -> ContestFacts | None:
    """The standing an example on `contest end` is about: its contest (named on the trigger,
    else the program's first), rank 1 of 1 with score 0 unless the example sets them."""
    if trigger is not Trigger.CONTEST_END:
        return None
    named = example.trigger.contest if example.trigger else None
    name = values.get("contest.name") or named or next(
        (c.name for c in program.contests), "")
    rank = _int(values.get("contest.rank")) or 1
    return ContestFacts(
        name=str(name), rank=rank, score=Decimal(str(values.get("contest.score", 0))),
        entrants=_int(values.get("contest.entrants")) or max(rank, 1),
    )


_MONEY_FACTS = frozenset({"order_total", "order_subtotal", "order_shipping", "order.refunded",
                          "customer.total_spent", "referrer.total_spent",
                          "spent_this_month"})
_ORDER_FACTS = frozenset({"order_total", "order_subtotal", "order_shipping", "order.number",
                          "order.voucher_code", "order.refunded", "order.is_paid"})


def _int(value: object) -> int | None:
    return int(value) if value is not None else None  # type: ignore[call-overload]


def _customer(values: dict[str, object], now: datetime) -> CustomerFacts:
    orders = _int(values.get("customer.orders")) or 0
    last = values.get("customer.last_order")
    if "customer.days_since_last_order" in values:
        last = now.date() - timedelta(days=int(values["customer.days_since_last_order"]))
    missed = _int(values.get("customer.periods_missed"))
    if missed is None:  # worked out as the app does, from the last order and usual interval
        missed = periods_missed(now.date() - last, values.get(  # type: ignore[operator,arg-type]
            "customer.usual_interval")) if last is not None else 0
    return CustomerFacts(
        email=str(values.get("customer.email", "customer@example.com")),
        id=None if values.get("customer.is_guest") else "example-customer",
        is_new=bool(values.get("customer.is_new", orders == 0)), orders=orders,
        orders_in_channel=_int(values.get("customer.orders_in_channel")) or 0,
        total_spent=values.get("customer.total_spent"), first_order=values.get(
            "customer.first_order"), last_order=last,
        usual_interval=values.get("customer.usual_interval"),
        periods_missed=missed, segment=str(values.get("customer.segment", "")),
    )


def _line(entry: ast.ExampleLine, currency: str) -> LineFacts:
    attrs: dict[str, object] = {}
    collections: list[str] = []
    for name, expr, _span in entry.attrs:
        value = _value(expr, currency)
        if name == "collection":
            collections.append(str(value))
        else:
            attrs[name] = Money.of(value, currency) if name in ("price", "total") and not (
                isinstance(value, Money)) else value
    quantity = int(attrs.get("quantity", 1))
    price = attrs.get("price")
    total = attrs.get("total") or (price * quantity if price else Money.zero(currency))
    price = price or (total * (Decimal(1) / quantity) if quantity else total)
    sku = attrs.get("sku")
    return LineFacts(
        product=str(attrs.get("product", sku or "product")), quantity=quantity, unit_price=price,
        total_price=total, sku=sku, product_name=str(attrs.get("name", "")),
        category=attrs.get("category"), collections=tuple(collections),
    )


def run_example(program: Program, example: ast.Example) -> ExampleResult:
    try:
        decision = program.explain(example_facts(program, example))
    except EvaluationError as exc:
        return ExampleResult(example.name, False, f"evaluation failed: {exc}", example.span.line)
    expectations = [x for e in example.entries if isinstance(e, ast.ExampleExpect)
                    for x in e.expectations]
    problems = check_expectations(decision, expectations, decision_currency(program, example))
    message = "; ".join(problems) if problems else "ok"
    return ExampleResult(example.name, not problems, message, example.span.line)


def decision_currency(program: Program, example: ast.Example) -> str:
    return example_facts(program, example).currency


def check_expectations(decision: Decision, expectations: list[ast.Expectation],
                       currency: str) -> list[str]:
    """What does not hold, in words; empty when every expectation holds."""
    problems: list[str] = []
    unmatched = list(decision.rewards)
    mentioned: set[str] = set()
    got = ", ".join(r.describe() for r in decision.rewards) or "nothing"
    if decision.refused:  # say why an expected reward is missing
        got += " (" + "; ".join(r.describe() for r in decision.refused) + ")"
    if decision.cut:
        got += " (" + "; ".join(f"{r.reward.describe()}: cut, {r.reason}"
                                for r in decision.cut) + ")"
    for exp in expectations:
        if exp.hint is not None:
            if not any(exp.hint in h for h in decision.hints):
                problems.append(f"no hint like \"{exp.hint}\" (hints: "
                                f"{'; '.join(decision.hints) or 'none'})")
        elif exp.nothing and exp.recipient is None:
            if decision.rewards:
                problems.append(f"expected nothing, got {got}")
        elif exp.nothing:
            mentioned.add(exp.recipient)
            if decision.for_recipient(exp.recipient):
                problems.append(f"expected nothing for {exp.recipient}, got {got}")
        elif exp.give is not None:
            mentioned.add(exp.recipient)
            match = next((r for r in unmatched if _matches(exp.give, r, currency)), None)
            if match is None:
                problems.append(f"expected {exp.recipient} gets {give_value_text(exp.give)}, "
                                f"got {got}")
            else:
                unmatched.remove(match)
    extra = [r for r in unmatched if r.recipient in mentioned]
    if extra and not problems:
        problems.append("also got " + ", ".join(r.describe() for r in extra))
    return problems


def _matches(give: ast.Give, reward: Reward, currency: str) -> bool:
    if give.recipient != reward.recipient or not isinstance(give.reward, ast.RewardSpec):
        return False
    spec = give.reward
    value = _value(spec.value, currency) if spec.value is not None else None
    kind = {"amount": "money", "points": "points", "discount": "discount",
            "voucher": "voucher"}.get(spec.kind)
    if spec.kind in ("free_shipping", "free_product"):
        if reward.voucher_type != spec.kind or (spec.product and spec.product != reward.product):
            return False
    elif kind != reward.kind:
        return False
    elif spec.kind == "points":
        if reward.points != int(value):  # type: ignore[call-overload]
            return False
    elif isinstance(value, Percent):
        if reward.percent is None or reward.percent != value.value:
            return False
    elif value is not None:
        expected = value if isinstance(value, Money) else Money.of(value, currency)
        if reward.amount != expected:
            return False
    if give.delivery is not None and give.delivery != reward.delivery:
        return False
    if give.hold_days is not None and (give.hold_days, give.hold_after or reward.hold_after) != (
            reward.hold_days, reward.hold_after):
        return False
    if give.expires_days is not None and give.expires_days != reward.expires_days:
        return False
    if give.max_amount is not None:
        cap = _value(give.max_amount, currency)
        if reward.max_amount != (cap if isinstance(cap, Money) else Money.of(cap, currency)):
            return False
    return True


def run_scenario(program: Program, facts_text: str, expect_texts: list[str],
                 trigger: str | None = None, refused: tuple[str, ...] = (),
                 cut: tuple[str, ...] = ()) -> list[str]:
    """Run facts written as one example line against `program`; returns the problems (empty
    when every `expect` holds and each of `refused` is part of a refusal's description, each
    of `cut` part of a cut's: `referrer gets 50.00 USD as gift card: cut, limit …`).
    Raises RulesError when the facts or expectations do not check."""
    on = f" on {trigger}" if trigger else ""
    body = "".join(f"    expect {text}\n" for text in expect_texts)
    source = f"example \"scenario\"{on}:\n    {facts_text}\n{body}"
    node, diagnostics = parse(source)
    if node is None:
        raise RulesError(diagnostics, source)
    checker = Checker("scenario")
    checker.header_currency = program.currency
    example = node.items[0]
    checker.example(example)  # type: ignore[arg-type]
    if any(d.is_error for d in checker.diagnostics):
        raise RulesError(checker.diagnostics, source)
    result = run_example(program, example)  # type: ignore[arg-type]
    problems = [] if result.passed else [result.message]
    if refused:
        seen = [r.describe() for r in program.explain(
            example_facts(program, example)).refused]  # type: ignore[arg-type]
        problems += [f"no refusal like \"{text}\" (refused: {'; '.join(seen) or 'nothing'})"
                     for text in refused if not any(text in s for s in seen)]
    if cut:
        seen = [f"{c.reward.describe()}: cut, {c.reason}" for c in program.explain(
            example_facts(program, example)).cut]  # type: ignore[arg-type]
        problems += [f"no cut like \"{text}\" (cut: {'; '.join(seen) or 'nothing'})"
                     for text in cut if not any(text in s for s in seen)]
    return problems
