"""The confidence sequence of an A/B test: looked at after every customer, it finds a winner
between two equal variants about as rarely as promised (a fixed 95 % interval peeked at daily
does not); it finds a real difference; and the verdict says what it found in plain words."""

from __future__ import annotations

import math
import random
from decimal import Decimal

from plugin.experiments.stats import Moments, difference, verdict


def _revenue(rng: random.Random, lift: float = 0.0) -> Decimal:
    """A customer's referred revenue: most bring nothing, a tenth bring an order of 20-200."""
    if rng.random() < 0.1 * (1 + lift):
        return Decimal(rng.randint(2000, 20000)) / 100
    return Decimal(0)


class _Running:
    """The moments of both variants, grown one customer at a time."""

    def __init__(self) -> None:
        self.n, self.total, self.squares = [0, 0], [Decimal(0)] * 2, [Decimal(0)] * 2

    def add(self, arm: int, value: Decimal) -> None:
        self.n[arm] += 1
        self.total[arm] += value
        self.squares[arm] += value * value

    def moments(self, arm: int) -> Moments:
        return Moments(self.n[arm], self.total[arm], self.squares[arm])


def _naive_excludes_zero(run: _Running) -> bool:
    """A fixed-sample 95 % interval (Welch), as if each look were the only one."""
    var = []
    for arm in (0, 1):
        n = run.n[arm]
        mean = float(run.total[arm]) / n
        var.append(max(float(run.squares[arm]) / n - mean * mean, 0.0) / n)
    diff = float(run.total[1]) / run.n[1] - float(run.total[0]) / run.n[0]
    return abs(diff) > 1.96 * math.sqrt(sum(var)) if sum(var) else False


def _peek_every_customer(seed: int, customers: int, lift: float) -> tuple[bool, bool]:
    """(the sequence ever excluded zero, the naive interval ever did) over one test."""
    rng, run = random.Random(seed), _Running()
    sequence = naive = False
    for index in range(customers):
        arm = rng.random() < 0.5
        run.add(int(arm), _revenue(rng, lift if arm else 0.0))
        if index >= 60 and index % 5 == 0 and min(run.n) > 0:
            found = difference(run.moments(0), run.moments(1), share_b=0.5)
            sequence = sequence or found.excludes_zero
            naive = naive or _naive_excludes_zero(run)
    return sequence, naive


def test_peeking_after_every_few_customers_keeps_false_winners_rare():
    runs = [_peek_every_customer(seed, 1500, lift=0.0) for seed in range(150)]
    sequence = sum(found for found, _ in runs) / len(runs)
    naive = sum(found for _, found in runs) / len(runs)
    assert sequence <= 0.07  # about the promised 5 %, however often one looks
    assert naive >= 2 * max(sequence, 0.05)  # the fixed interval, peeked at, is fooled far more


def test_a_real_difference_is_found():
    found = [_peek_every_customer(seed, 6000, lift=0.6)[0] for seed in range(20)]
    assert sum(found) >= 16


def _moments(values: list[str]) -> Moments:
    return Moments.of([Decimal(v) for v in values])


def test_the_verdict_in_words():
    names = ("10 % off", "15 USD off")
    few = _moments(["0", "50"] * 5)
    assert verdict(names=names, revenue=(few, few), cost=(few, few), share_b=0.5).startswith(
        "not enough data yet: at least 30 customers")
    same = _moments(["0", "0", "0", "60"] * 100)
    assert verdict(names=names, revenue=(same, same), cost=(same, same), share_b=0.5) == (
        "not enough data yet: the variants cannot be told apart on referred revenue")
    rng = random.Random(7)
    a = Moments.of([_revenue(rng) for _ in range(20_000)])
    b = Moments.of([_revenue(rng, lift=0.5) for _ in range(20_000)])
    cost = _moments(["5"] * 20_000)
    said = verdict(names=names, revenue=(a, b), cost=(cost, cost), share_b=0.5)
    lift = round(100 * (b.mean - a.mean) / a.mean)
    assert said == (f"15 USD off brings {lift} % more referred revenue than 10 % off at the "
                    "same cost, 95 % sure")
    dearer = _moments(["6"] * 20_000)
    assert verdict(names=names, revenue=(b, a), cost=(dearer, cost), share_b=0.5).endswith(
        "than 15 USD off at 20 % more cost, 95 % sure")
