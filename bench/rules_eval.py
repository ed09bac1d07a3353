"""Evaluation speed: four rule shapes compiled by us vs the same logic hand-written with Decimal.

Two yardsticks, both hand-written and checked against the compiled program before timing:

- the whole job (the limit): decides, computes the reward, rounds it half up to the currency's
  minor unit and returns (recipient, kind, amount), which is all a caller needs. Target <= 2x.
- the decision-building baseline: the same logic returning the product's Decision and Reward
  objects, as the compiled program does.

Also printed: the compiled program with its rewards read (the Reward objects built), the
interpreter, and building the facts from their JSON dict (`facts_from_json`) per evaluation
(target <= 5x the evaluation). Fixed seed; each repeat takes the best of 15 passes per side;
ratios are the median of the repeats' ratios, with their spread (lowest-highest).
Run: .venv/bin/python bench/rules_eval.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rules
from rules import (
    CustomerFacts,
    Decision,
    Facts,
    LineFacts,
    Money,
    OrderFacts,
    ReferralFacts,
    Reward,
    Trigger,
)
from rules.evaluate.interpreter import Interpreter
from rules.facts.codec import facts_from_json, facts_to_json
from rules.facts.money import quantum

SEED = 20260301
FACTS_PER_SHAPE = 200
REPEATS = 5
PASSES = 15
TARGET = 2.0
FACTS_TARGET = 5.0
USD = "USD"
CATEGORIES = ["shoes", "hats", "bags", "socks"]


def usd(amount: str | int | Decimal) -> Money:
    return Money.of(amount, USD)


# ---- the four shapes, as merchants write them --------------------------------------------------
SIMPLE = 'program "simple" currency USD\nif order_total > 500 give referrer 50 USD else 20%\n'
COMPOUND = """program "compound" currency USD
on order paid when referred and customer.orders == 0 and channel in ["web", "app"] \
        and not customer.is_guest and order_total >= 50 USD:
    give referee 10 USD
"""
LINES = """program "lines" currency USD
on order paid when any(lines where line.category == "shoes"):
    give referrer 10% of sum(line.total for line in lines where line.category == "shoes")
"""
TIERS = """program "tiers" currency USD
on order paid:
    give referrer tier order_total: 1000+ -> 80 USD, 500+ -> 40 USD, 200+ -> 15 USD, \
        else -> 5% max 10 USD
limit reward at most 5% of order_total
"""


# ---- the same logic, hand-written ---------------------------------------------------------------
def _reward(recipient: str, amount: Money, line: int, reason: str,
            percent: Decimal | None = None, max_amount: Money | None = None) -> Reward:
    label = f"order paid rule at line {line}"
    return Reward(recipient=recipient, kind="money", rule_line=line, rule_label=label,
                  reason=f"{label}: {reason}", amount=amount, percent=percent,
                  max_amount=max_amount, delivery="gift_card")


FIVE_HUNDRED, FIFTY, TWENTY = Decimal(500), usd(50), Decimal(20)


def simple_by_hand(facts: Facts) -> Decision:
    total = facts.order.total
    if total.amount > FIVE_HUNDRED:
        reward = _reward("referrer", FIFTY, 2, "50 USD")
    else:
        amount = total.percent(TWENTY)
        if amount.amount <= 0:
            return Decision()
        reward = _reward("referrer", amount, 2, "20%", percent=TWENTY)
    return Decision((reward,))


TEN, CHANNELS, MIN_ORDER = usd(10), ("web", "app"), Decimal(50)


def compound_by_hand(facts: Facts) -> Decision:
    customer = facts.customer
    if (facts.referral.is_referred and customer.orders == 0 and facts.channel in CHANNELS
            and customer.id is not None and facts.order.total.amount >= MIN_ORDER):
        return Decision((_reward("referee", TEN, 2, "10 USD"),))
    return Decision()


TEN_PERCENT = Decimal(10)


def lines_by_hand(facts: Facts) -> Decision:
    shoes = [line.total_price.amount for line in facts.order.lines if line.category == "shoes"]
    if not shoes:
        return Decision()
    amount = Money(sum(shoes), USD).percent(TEN_PERCENT)
    if amount.amount <= 0:
        return Decision()
    reason = '10% of sum(line.total for line in lines where line.category == "shoes")'
    return Decision((_reward("referrer", amount, 2, reason),))


TIER_ARMS = ((Decimal(1000), usd(80), "80 USD"), (Decimal(500), usd(40), "40 USD"),
             (Decimal(200), usd(15), "15 USD"))
FIVE, CAP = Decimal(5), usd(10)


def tiers_by_hand(facts: Facts) -> Decision:
    total = facts.order.total
    for bound, amount, text in TIER_ARMS:
        if total.amount >= bound:
            reward = _reward("referrer", amount, 2, text)
            break
    else:
        amount = min(total.percent(FIVE), CAP)
        if amount.amount <= 0:
            return Decision()
        reward = _reward("referrer", amount, 2, "5% max 10 USD", percent=FIVE, max_amount=CAP)
    cap = total.percent(FIVE)  # limit reward at most 5% of order_total
    if cap.amount <= 0:
        return Decision()
    if reward.amount > cap:
        reward = Reward(reward.recipient, reward.kind, reward.rule_line, reward.rule_label,
                        reward.reason, cap, reward.percent, max_amount=reward.max_amount,
                        delivery=reward.delivery)
    return Decision((reward,))


# ---- the whole job, hand-written: decide, compute, round once, return what a caller needs ------
Job = tuple[str, str, Decimal] | None
MINOR_UNIT = {USD: quantum(USD)}
HUNDRED = Decimal(100)


def _rounded(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(MINOR_UNIT[currency], ROUND_HALF_UP)


def simple_job(facts: Facts) -> Job:
    total = facts.order.total.amount
    if total > FIVE_HUNDRED:
        return ("referrer", "money", FIFTY.amount)
    amount = _rounded(total * TWENTY / HUNDRED, facts.currency)
    return ("referrer", "money", amount) if amount > 0 else None


def compound_job(facts: Facts) -> Job:
    customer = facts.customer
    if (facts.referral.is_referred and customer.orders == 0 and facts.channel in CHANNELS
            and customer.id is not None and facts.order.total.amount >= MIN_ORDER):
        return ("referee", "money", TEN.amount)
    return None


def lines_job(facts: Facts) -> Job:
    shoes = [line.total_price.amount for line in facts.order.lines if line.category == "shoes"]
    if not shoes:
        return None
    amount = _rounded(sum(shoes) * TEN_PERCENT / HUNDRED, facts.currency)
    return ("referrer", "money", amount) if amount > 0 else None


TIER_AMOUNTS = tuple((bound, money.amount) for bound, money, _ in TIER_ARMS)


def tiers_job(facts: Facts) -> Job:
    total = facts.order.total.amount
    for bound, tier_amount in TIER_AMOUNTS:
        if total >= bound:
            amount = tier_amount
            break
    else:
        amount = min(_rounded(total * FIVE / HUNDRED, facts.currency), CAP.amount)
    cap = _rounded(total * FIVE / HUNDRED, facts.currency)  # limit reward at most 5% of total
    amount = min(amount, cap)
    return ("referrer", "money", amount) if amount > 0 else None


def as_job(decision: Decision) -> Job:
    if not decision.rewards:
        return None
    (reward,) = decision.rewards
    return (reward.recipient, reward.kind, reward.amount.amount)


# ---- facts ---------------------------------------------------------------------------------------
def make_facts(rng: random.Random, lines: int) -> Facts:
    items = []
    for index in range(lines):
        quantity = rng.randint(1, 3)
        price = usd(Decimal(rng.randint(100, 20000)) / 100)
        items.append(LineFacts(product=f"p{index}", quantity=quantity, unit_price=price,
                               total_price=price * quantity, sku=f"SKU{index}",
                               category=rng.choice(CATEGORIES)))
    total = usd(Decimal(rng.randint(0, 150000)) / 100)
    order = OrderFacts(id="o", currency=USD, total=total, subtotal=total, shipping=usd(0),
                       channel="web", lines=tuple(items))
    customer = CustomerFacts(email="c@example.com", id=rng.choice(["u1", None, "u2"]),
                             orders=rng.choice([0, 0, 1, 3]))
    return Facts(trigger=Trigger.ORDER_PAID, now=datetime(2026, 3, 1, tzinfo=UTC),
                 channel=rng.choice(["web", "app", "pos"]), currency=USD, order=order,
                 customer=customer, referral=ReferralFacts(is_referred=rng.random() < 0.7))


def timed(sides: list[Callable[[Any], object]], facts: list[Any],
          passes: int = PASSES) -> list[float]:
    """Seconds per call for each side: the best of a few passes over all the facts (noise on a
    shared machine only ever adds time), the sides taking turns pass by pass. The clock is the
    process's CPU time: time spent waiting for a core another process holds is not counted."""
    best = [float("inf")] * len(sides)
    clock = time.process_time
    for _ in range(passes):
        for index, fn in enumerate(sides):
            began = clock()
            for f in facts:
                fn(f)
            best[index] = min(best[index], clock() - began)
    return [seconds / len(facts) for seconds in best]


def payload_facts(evaluations: dict[str, float]) -> None:
    """The live path's facts: OrderFacts from the captured ORDER_PAID payload (the mapper the
    webhook handlers call; backtests' stored orders go through the same money reader)."""
    from plugin.saleor.captures import captured_delivery
    from plugin.saleor.mappers.orders import order_facts

    payload = captured_delivery("ORDER_PAID").payload
    lines = len(order_facts(payload).lines)
    runs = [timed([order_facts], [payload] * FACTS_PER_SHAPE)[0] * 1e6 for _ in range(REPEATS)]
    us = statistics.median(runs)
    print(f"\nOrderFacts from the captured ORDER_PAID payload ({lines} lines): {us:.2f} us "
          f"({min(runs):.2f}-{max(runs):.2f}); vs the compiled evaluation of each shape: "
          + ", ".join(f"{us / e:.1f}x" for e in evaluations.values()))


def _spread(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def main() -> int:
    rng = random.Random(SEED)
    shapes = [
        ("simple if/else money", SIMPLE, simple_job, simple_by_hand, 0),
        ("compound boolean", COMPOUND, compound_job, compound_by_hand, 0),
        ("any + sum over 20 lines", LINES, lines_job, lines_by_hand, 20),
        ("capped tiers", TIERS, tiers_job, tiers_by_hand, 0),
    ]
    print(f"rules_eval: {FACTS_PER_SHAPE} facts per shape, {REPEATS} repeats (each the best of "
          f"{PASSES} passes), seed {SEED}; ratios: median (lowest-highest) of the repeats")
    worst, worst_facts = 0.0, 0.0
    evaluations: dict[str, float] = {}
    for name, source, job, by_hand, lines in shapes:
        program = rules.compile_program(source, name)
        interpreter = Interpreter(program.node, program.currency, list(program.rules),
                                  guard=program._interpreter.guard)
        facts = [make_facts(rng, lines) for _ in range(FACTS_PER_SHAPE)]
        as_dicts = [facts_to_json(f) for f in facts]
        for f, data in zip(facts, as_dicts, strict=True):  # the same logic, or no comparison
            decision = program.evaluate(f)
            assert decision.rewards == by_hand(f).rewards, (name, f)
            assert as_job(decision) == job(f), (name, f)
            assert facts_from_json(data) == f, (name, f)
        evaluate = program.evaluate
        sides = [job, by_hand, evaluate, lambda f, e=evaluate: e(f).rewards,  # type: ignore[misc]
                 lambda f, i=interpreter: i.run(f, record=False)]
        runs = [timed(sides, facts) + timed([facts_from_json], as_dicts) for _ in range(REPEATS)]
        job_us, compiled_us = (statistics.median(r[i] for r in runs) * 1e6 for i in (0, 2))
        vs_job = [r[2] / r[0] for r in runs]
        vs_facts = [r[5] / r[2] for r in runs]
        evaluations[name] = compiled_us
        worst = max(worst, statistics.median(vs_job))
        worst_facts = max(worst_facts, statistics.median(vs_facts))
        print(f"\n{name}: whole job {job_us:.2f} us, compiled {compiled_us:.2f} us, facts from "
              f"a dict {statistics.median(r[5] for r in runs) * 1e6:.2f} us")
        print(f"  compiled vs the whole job            {_spread(vs_job)}")
        print(f"  compiled vs the decision baseline    {_spread([r[2] / r[1] for r in runs])}")
        print(f"  compiled, rewards read, vs whole job {_spread([r[3] / r[0] for r in runs])}")
        print(f"  interpreter vs the whole job         {_spread([r[4] / r[0] for r in runs])}")
        print(f"  facts from a dict vs evaluation      {_spread(vs_facts)}")
    payload_facts(evaluations)
    ok = worst <= TARGET and worst_facts <= FACTS_TARGET
    print(f"\nworst: compiled {worst:.2f}x the whole job (target <= {TARGET}x), facts "
          f"{worst_facts:.2f}x the evaluation (target <= {FACTS_TARGET}x): "
          f"{'ok' if ok else 'OVER TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
