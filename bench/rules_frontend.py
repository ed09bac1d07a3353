"""Benchmark: parse + check of a generated 500-line rules program (what the editor re-runs on every
pause in typing), cold (nothing cached) and after editing one item (the parser caches items).
Baseline: Lark's bare LALR parse of the same text into a plain tree (no AST, no spans, no
checking), i.e. the least any Lark front end pays. Target: parse + check well under 100 ms.

    .venv/bin/python bench/rules_frontend.py [--lines 500] [--rounds 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lark import Lark  # noqa: E402

from grammar import load_grammar  # noqa: E402
from rules.checker import Checker  # noqa: E402
from rules.parser import _RulesIndenter, clear_cache, parse  # noqa: E402
from rules.program import _check  # noqa: E402


def generate(lines: int, seed: int = 1) -> str:
    """A dense, valid program: checkout discounts and order rules with aggregates and tiers."""
    rng = random.Random(seed)
    out = ['program "Bench" currency USD', ""]
    number = 0
    while len(out) < lines:
        number += 1
        if rng.random() < 0.3:
            out += [
                f"on checkout when referred and customer.orders == 0 and "
                f"order_total >= {rng.randint(10, 99)} USD:",
                f"    give referee {rng.randint(5, 20)}% off order max {rng.randint(10, 50)} USD",
                "",
            ]
            continue
        trigger = rng.choice(["order paid", "order fulfilled"])
        out += [
            f'rule "r{number}" on {trigger} when referred and channel in ["eu", "uk", "us"]:',
            "    let shoes = sum(line.total for line in lines where line.category == \"shoes\" "
            f"and line.quantity >= {rng.randint(1, 3)})",
            f"    if order_total > {rng.randint(100, 900)} and shoes >= {rng.randint(10, 90)} USD "
            f"give referrer {rng.randint(10, 50)} USD as gift card else {rng.randint(1, 20)}%",
            "    give referrer tier order_total: 500+ -> 50 USD, 200+ -> 20 USD, else -> 5 points",
            f"    hold {rng.randint(7, 30)} days after fulfillment",
            "",
        ]
    return "\n".join(out[:lines]) + "\n"


def timed(function, rounds: int) -> tuple[float, float]:
    """(best, median) CPU milliseconds; CPU time, since the machine is shared."""
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        function()
        samples.append((time.process_time() - start) * 1000)
    return min(samples), statistics.median(samples)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--lines", type=int, default=500)
    options.add_argument("--rounds", type=int, default=20)
    args = options.parse_args()
    source = generate(args.lines)
    result = _check(source, "bench.rules")
    assert result.program is not None, result.diagnostics[:3]
    bare = Lark(load_grammar(), parser="lalr", postlex=_RulesIndenter(),
                maybe_placeholders=False)
    tokens = sum(1 for _ in bare.lex(source))
    node, _ = parse(source)
    edits = iter(range(10**6))

    def cold(function):
        def run():
            clear_cache()
            function()
        return run

    def one_item_edited():
        # the editor's case: one amount changed somewhere in the middle, the rest cached
        edited = source.replace("hold 7 days", f"hold {next(edits) % 90 + 1} days", 1)
        _check(edited, "b")

    _check(source, "b")
    figures = {
        "baseline: bare Lark parse": timed(lambda: bare.parse(source), args.rounds),
        "parse to AST, cold": timed(cold(lambda: parse(source)), args.rounds),
        "check (AST already parsed)": timed(lambda: Checker("b").program(node), args.rounds),
        "parse + check, cold": timed(cold(lambda: _check(source, "b")), args.rounds),
        "parse + check, one item edited": timed(one_item_edited, args.rounds),
    }
    print(f"{args.lines} lines, {len(source)} characters, {tokens} tokens; CPU ms best/median")
    for label, (best, median) in figures.items():
        print(f"  {label:<32} {best:7.1f} {median:7.1f}")
    base = figures["baseline: bare Lark parse"][0]
    total = figures["parse + check, cold"][0]
    print(f"  ratio parse + check (cold) / baseline: {total / base:.2f}")
    print(f"  target parse + check < 100 ms: {'met' if total < 100 else 'MISSED'}")
    return 0 if total < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
