"""Evaluation speed: four rule shapes compiled by us vs the same logic hand-written with Decimal.

Both sides take the same Facts and return the same Decision (asserted before timing), so the
ratio is the price of the language. Fixed seed; each repeat takes the best of 15 passes per side,
and the slowdown printed is the median of the repeats' ratios; target <= 2x.
Run: .venv/bin/python bench/rules_eval.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

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
from rules.interpreter import Interpreter

SEED = 20260301
FACTS_PER_SHAPE = 200
REPEATS = 5
PASSES = 15
TARGET = 2.0
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


def timed(sides: list[Callable[[Facts], Decision]], facts: list[Facts],
          passes: int = PASSES) -> list[float]:
    """Seconds per call for each side: the best of a few passes over all the facts (noise on a
    shared machine only ever adds time), the sides taking turns pass by pass."""
    best = [float("inf")] * len(sides)
    clock = time.perf_counter
    for _ in range(passes):
        for index, fn in enumerate(sides):
            began = clock()
            for f in facts:
                fn(f)
            best[index] = min(best[index], clock() - began)
    return [seconds / len(facts) for seconds in best]


def main() -> int:
    rng = random.Random(SEED)
    shapes = [
        ("simple if/else money", SIMPLE, simple_by_hand, 0),
        ("compound boolean", COMPOUND, compound_by_hand, 0),
        ("any + sum over 20 lines", LINES, lines_by_hand, 20),
        ("capped tiers", TIERS, tiers_by_hand, 0),
    ]
    print(f"rules_eval: {FACTS_PER_SHAPE} facts per shape, median of {REPEATS} repeats "
          f"(each the best of {PASSES} passes), seed {SEED}")
    print(f"{'shape':<26}{'hand-written':>14}{'compiled':>12}{'slowdown':>10}{'interpreter':>13}")
    worst = 0.0
    for name, source, by_hand, lines in shapes:
        program = rules.compile_program(source, name)
        interpreter = Interpreter(program.node, program.currency, list(program.rules))
        facts = [make_facts(rng, lines) for _ in range(FACTS_PER_SHAPE)]
        for f in facts:  # the same logic: the same rewards, or the comparison means nothing
            assert program.evaluate(f).rewards == by_hand(f).rewards, (name, f)
        interpret = lambda f, i=interpreter: i.run(f, record=False)  # noqa: E731
        runs = [timed([by_hand, program.evaluate, interpret], facts) for _ in range(REPEATS)]
        hand_us = statistics.median(r[0] for r in runs) * 1e6
        ours_us = statistics.median(r[1] for r in runs) * 1e6
        ratio = statistics.median(r[1] / r[0] for r in runs)
        interpreted = statistics.median(r[2] / r[0] for r in runs)
        worst = max(worst, ratio)
        print(f"{name:<26}{hand_us:>11.2f} us{ours_us:>9.2f} us{ratio:>9.2f}x{interpreted:>12.2f}x")
    verdict = "ok" if worst <= TARGET else "OVER TARGET"
    print(f"worst slowdown {worst:.2f}x (target <= {TARGET}x): {verdict}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
