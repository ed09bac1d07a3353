"""Benchmark: the live program as every webhook asks for it (`program_published`), and a backtest
over recorded orders. `program_published` is one indexed query plus the compiled program from a
cache keyed by source hash; the baseline is a bare primary-key read of one row, so the ratio is
what the app adds per webhook (target: < 2x, under 1 ms). The cold figure is what the cache
saves: parsing and checking the program again. The backtest is timed against evaluating the
same program over the same facts already built in memory (the rest is reading history).

    .venv/bin/python bench/program_published.py [--calls 3000] [--orders 1000]

Runs on a throwaway SQLite database of its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PROGRAM = """program "Bench referrals" currency USD

rule "big" on order paid when referred and customer.orders == 0 and order_total > 500 USD:
    give referrer 50 USD as gift card
    hold 30 days after fulfillment

rule "first order" on order paid when referred and customer.orders == 0 and order_total <= 500 USD:
    give referrer 10% of order_total max 40 USD

rule "regulars" on order paid when referred and referrer.orders >= 5:
    give referrer 200 points

rule "friend discount" on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD

limit reward <= 20% of order_total

example "big":
    order_total = 600 USD, referred
    expect referrer gets 50 USD
"""


def timed(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def describe(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p99 = sorted(samples)[int(len(samples) * 0.99) - 1]
    print(f"  {label:<44} median {median:8.3f} ms   p99 {p99:8.3f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--orders", type=int, default=1000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-programs-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    import rules
    from plugin.dashboard import backtest_sources
    from plugin.install.models import Installation
    from plugin.programs import selectors, services
    from plugin.programs.actors import SystemActor
    from plugin.programs.models import ProgramVersion
    from plugin.referrals.models import CustomerOrder

    call_command("migrate", verbosity=0)
    shop = Installation.objects.create(saleor_api_url="http://bench.saleor.localhost/graphql/",
                                       app_id="QXBwOjE=")
    program = services.program_get_or_create(installation=shop)
    services.program_save_draft(program=program, source=PROGRAM, actor=SystemActor())
    version = services.program_publish(program=program, actor=SystemActor())

    print(f"program_published over {args.calls} calls (program of {len(PROGRAM)} chars)")
    selectors.program_published(installation=shop)  # warm
    app = describe("program_published (query + cached program)",
                   timed(lambda: selectors.program_published(installation=shop), args.calls))
    bare = describe("baseline: bare primary-key read of the row",
                    timed(lambda: ProgramVersion.objects.get(pk=version.pk), args.calls))

    def cold():
        selectors.compiled_cache.clear()
        rules.evaluate.program._check_cached.cache_clear()  # the language's own cache too
        selectors.program_published(installation=shop)

    cold_ms = describe("cold: the same, program parsed and checked again", timed(cold, 50))
    print(f"  ratio to baseline {app / bare:.2f}x; the cache saves {cold_ms - app:.2f} ms a call")

    now = timezone.now()
    CustomerOrder.objects.bulk_create([
        CustomerOrder(installation=shop, order_id=f"O-{i}", email=f"c{i % 300}@x.com",
                      total=Decimal(20 + (i * 37) % 900), currency="USD",
                      status=CustomerOrder.Status.PAID, paid_at=now - timedelta(minutes=i))
        for i in range(args.orders)])
    compiled = selectors.program_published(installation=shop)[1]
    start = time.perf_counter()
    facts = [f for _total, f in backtest_sources.stored_orders(
        installation=shop, count=args.orders, assume_referred=True) if f is not None]
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    for item in facts:
        compiled.evaluate(item)
    eval_s = time.perf_counter() - start
    total_s = read_s + eval_s
    print(f"backtest over {len(facts)} recorded orders (every order treated as referred)")
    print(f"  reading history + building facts   {read_s * 1000:8.1f} ms")
    print(f"  baseline: evaluating prebuilt facts {eval_s * 1000:8.1f} ms "
          f"({len(facts) / eval_s:,.0f} orders/s)")
    print(f"  whole backtest                     {total_s * 1000:8.1f} ms "
          f"({len(facts) / total_s:,.0f} orders/s), ratio {total_s / eval_s:.1f}x the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
