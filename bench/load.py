"""Load on the production stack: signed order deliveries at a fixed rate through gunicorn, Redis,
Celery workers and PostgreSQL (scripts/run-production, APP_ENV=production), then a burst queued
while no worker runs. Reports acknowledgement latency (against a bare Django view served by the
same gunicorn), deliveries lost, time to drain, and the workers' peak memory.

    .venv/bin/python bench/load.py [--rate 200] [--seconds 60] [--burst 10000]

The deliveries are Bob's captured order (created, fully paid, fulfilled) told again for other
shoppers; the published program decides a held gift card on each paid order, so the workers do
the app's real work (attribution, order history, segments, the reward ledger).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "stack"), str(REPO / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")

import django  # noqa: E402

django.setup()

from production import ProductionStack  # noqa: E402
from shop_orders import SignedDelivery, order_deliveries  # noqa: E402
from stack_harness import free_port, group_members, http_ok, wait_until  # noqa: E402
from standin_saleor import StandInSaleor  # noqa: E402

PROGRAM = """\
program "Load" currency USD

on order paid:
    give customer 5 USD as gift card hold 30 days after fulfillment
"""
TARGET_P99_MS = 50.0


@dataclass
class Offered:
    sent: int
    acknowledged: int
    refused: dict[int, int]  # HTTP status (0: no answer) -> count
    latencies_ms: list[float]
    seconds: float

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(int(len(ordered) * share) - 1, 0)] if ordered else 0.0

    def line(self, label: str) -> str:
        return (f"  {label:<26} p50 {statistics.median(self.latencies_ms):6.1f} ms   "
                f"p99 {self.percentile(0.99):6.1f} ms   max {max(self.latencies_ms):7.1f} ms   "
                f"{self.acknowledged / self.seconds:6.1f} acknowledged/s   "
                f"refused {sum(self.refused.values())}/{self.sent} {self.refused or ''}")


def offer(base: str, deliveries: list[SignedDelivery], rate: float | None,
          senders: int = 48) -> Offered:
    """Open loop at `rate`: delivery i is due at start + i/rate and its latency counts from then,
    so time queued behind a slow server counts too (no coordinated omission). `rate` None sends
    as fast as the senders go. Each sender is a thread with its own connection, as Saleor's
    webhook workers are separate processes."""
    latencies: list[float] = [0.0] * len(deliveries)
    statuses: list[int] = [0] * len(deliveries)
    next_index = iter(range(len(deliveries)))
    claim = threading.Lock()
    start = time.perf_counter() + 0.2

    def send() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while True:
                with claim:
                    index = next(next_index, None)
                if index is None:
                    return
                due = start + index / rate if rate else time.perf_counter()
                time.sleep(max(0.0, due - time.perf_counter()))
                delivery = deliveries[index]
                try:
                    statuses[index] = client.post(delivery.path, content=delivery.body,
                                                  headers=delivery.headers).status_code
                except httpx.HTTPError:
                    statuses[index] = 0
                latencies[index] = (time.perf_counter() - due) * 1000

    threads = [threading.Thread(target=send, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = Counter(status for status in statuses if status != 200)
    return Offered(len(deliveries), len(deliveries) - sum(refused.values()), dict(refused),
                   latencies, time.perf_counter() - start)


def rss_kib(pids: list[int]) -> dict[int, int]:
    sizes = {}
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1])
        except OSError:
            continue
    return sizes


class PeakMemory:
    """Samples the resident memory of every process of some process groups."""

    def __init__(self, leaders: Callable[[], list[int]]) -> None:
        self.leaders = leaders
        self.total_kib = 0
        self.largest_kib = 0

    def sample(self) -> None:
        sizes = rss_kib([pid for leader in self.leaders() for pid in group_members(leader)])
        self.total_kib = max(self.total_kib, sum(sizes.values()))
        self.largest_kib = max(self.largest_kib, max(sizes.values(), default=0))

    def line(self, label: str) -> str:
        return (f"  {label:<26} peak RSS {self.total_kib / 1024:6.1f} MiB all processes, "
                f"{self.largest_kib / 1024:6.1f} MiB the largest")


def drain(stack: ProductionStack, expected: int, memory: PeakMemory | None,
          timeout: float) -> float:
    """Seconds until `expected` deliveries are done (none failed or dead on the way)."""
    began = time.monotonic()

    def done() -> bool:
        if memory is not None:
            memory.sample()
        counts = stack.deliveries_by_status()
        assert not counts.get("dead"), counts
        return counts.get("done", 0) >= expected

    wait_until(f"{expected} deliveries processed", done, timeout=timeout,
               processes=stack.processes, every=0.5)
    return time.monotonic() - began


@contextmanager
def bare_view(workers: int) -> Iterator[str]:
    """The baseline: a bare Django view answering 200, behind gunicorn's sync workers started
    as scripts/run-production starts the app's."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "bare_django:application",
         "--pythonpath", str(REPO / "bench" / "support"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", os.devnull],
        cwd=REPO, env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until("the bare view", lambda: http_ok(f"{base}/healthz"), timeout=30)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to offer them")
    parser.add_argument("--burst", type=int, default=10_000,
                        help="deliveries queued while no worker runs (0: no burst)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    steady = int(args.rate * args.seconds)
    orders = -(-(steady + args.burst) // 3)
    print(f"load on the production stack: {args.rate:.0f} deliveries/s for {args.seconds:.0f} s, "
          f"then a burst of {args.burst}; gunicorn {args.web_workers} workers, Celery "
          f"concurrency {args.worker_concurrency}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)

    with tempfile.TemporaryDirectory(prefix="load-") as scratch, StandInSaleor() as saleor:
        print(f"  signing {orders * 3} deliveries ({orders} orders) ...", flush=True)
        deliveries = list(order_deliveries(orders=range(orders), signer=saleor.signer,
                                           saleor_api_url=saleor.api_url))
        first, burst = deliveries[:steady], deliveries[steady:steady + args.burst]
        # The bare view first, on the same sort of server, for the ratio.
        with bare_view(args.web_workers) as base:
            baseline = offer(base, first[: int(args.rate * min(args.seconds, 10))], args.rate)
        print(baseline.line("bare Django view"), flush=True)

        with ProductionStack(Path(scratch), saleor, web_workers=args.web_workers,
                             worker_concurrency=args.worker_concurrency) as stack:
            try:
                return _run(stack, args, first, burst, baseline)
            except BaseException:
                print(stack.processes.report())
                raise


def _run(stack: ProductionStack, args, first: list[SignedDelivery],
         burst: list[SignedDelivery], baseline: Offered) -> int:
    stack.dashboard("POST", "program/publish", source=PROGRAM)
    stack.start("worker")
    stack.start("beat")
    workers = PeakMemory(lambda: [stack.processes.running["worker"].pid])
    web = PeakMemory(lambda: [stack.processes.running["web"].pid])

    steady = offer(stack.base, first, args.rate)
    print(steady.line("app: web + Redis + Celery"), flush=True)
    drained = drain(stack, steady.acknowledged, workers, timeout=600)
    web.sample()
    stored = sum(stack.deliveries_by_status().values())
    rewards = stack.query("SELECT count(*) FROM rewards_reward")[0][0]
    paid = sum(1 for d in first if d.event == "ORDER_FULLY_PAID")
    lost = steady.acknowledged - stored
    p99 = steady.percentile(0.99)
    print(f"  {'':<26} ratio to baseline: p50 x{statistics.median(steady.latencies_ms) / statistics.median(baseline.latencies_ms):.2f}, "  # noqa: E501
          f"p99 x{p99 / baseline.percentile(0.99):.2f}; target p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if p99 < TARGET_P99_MS and not steady.refused else 'NOT met'}")
    print(f"  {'':<26} stored {stored}/{steady.acknowledged} acknowledged (lost {lost}); all "
          f"processed {drained:.1f} s after the last send; rewards decided {rewards} for {paid} "
          "paid orders")
    print(workers.line("Celery worker (steady)"))
    print(web.line("gunicorn (steady)"), flush=True)
    failed = lost != 0 or bool(steady.refused) or rewards != paid

    if burst:
        stack.processes.stop("worker")
        queued = offer(stack.base, burst, None)
        print(queued.line(f"burst of {len(burst)} queued"), flush=True)
        burst_memory = PeakMemory(lambda: [stack.processes.running["worker"].pid])
        stack.start("worker")
        drained = drain(stack, steady.acknowledged + queued.acknowledged, burst_memory,
                        timeout=1800)
        print(f"  {'':<26} the burst drained in {drained:.1f} s "
              f"({queued.acknowledged / drained:.0f} deliveries/s)")
        print(burst_memory.line("Celery worker (burst)"), flush=True)
        failed |= bool(queued.refused)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
