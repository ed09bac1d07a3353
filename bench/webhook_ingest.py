"""Webhook ingest through the real HTTP stack: gunicorn on loopback, signed deliveries, a fixed
offered rate; acknowledgement latency and throughput against a bare Django view served alike.

    .venv/bin/python bench/webhook_ingest.py [--rate 200] [--seconds 10] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plugin.saleor.captures import captured_delivery  # noqa: E402
from plugin.saleor.testing import TestSigner  # noqa: E402

BIN = Path(sys.executable).parent
API_URL = "http://bench.saleor.localhost/graphql/"
EVENT = "ORDER_UPDATED"  # recorded in the inbox; the use cases' own cost is not part of ingest
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://referrals@127.0.0.1:54329/postgres")
SERVER_SHAPE = {"sqlite": (1, 1), "postgres": (2, 4)}  # (worker processes, threads each)
_ISSUED_AT = re.compile(rb'"issuedAt": "[^"]*"')


@dataclass
class Figures:
    label: str
    sent: int
    ok: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    per_second: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signed_deliveries(count: int) -> list[tuple[bytes, dict[str, str]]]:
    """`count` distinct ORDER_UPDATED deliveries (real captured body, unique `issuedAt`)."""
    signer = TestSigner()
    template = captured_delivery(EVENT).body
    deliveries = []
    for number in range(count):
        stamp = f'"issuedAt": "2026-11-23T10:00:00.{number:06d}+00:00"'.encode()
        body = _ISSUED_AT.sub(stamp, template, count=1)
        headers = {
            "Content-Type": "application/json",
            "Saleor-Event": EVENT.lower(),
            "Saleor-Domain": "bench.saleor.localhost",
            "Saleor-Api-Url": API_URL,
            "Saleor-Signature": signer.sign_webhook(body),
        }
        deliveries.append((body, headers))
    deliveries.append((b"", {"jwks": json.dumps(signer.jwks)}))  # the key set rides along
    return deliveries


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, check=True)
    return result.stdout


def prepare_app(env: dict[str, str], jwks: str) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "shell", "-c", (
        "import json; from plugin.install.models import Installation; "
        f"Installation.objects.create(saleor_api_url={API_URL!r}, jwks=json.loads({jwks!r}))"
    ))


def stored_count(env: dict[str, str]) -> int:
    out = manage(env, "shell", "-c", (
        "from plugin.webhooks.models import WebhookDelivery; "
        "print(WebhookDelivery.objects.count())"
    ))
    return int(out.strip().splitlines()[-1])


@contextmanager
def served(app: str, env: dict[str, str], workers: int, threads: int) -> Iterator[str]:
    port = free_port()
    # gthread workers keep connections alive and never block a worker on a slow client.
    command = [str(BIN / "gunicorn"), app, "-b", f"127.0.0.1:{port}", "-w", str(workers),
               "-k", "gthread", "--threads", str(threads), "--log-level", "warning",
               "--pythonpath", str(REPO / "bench" / "support")]
    server = subprocess.Popen(command, cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError(f"{app} did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


async def offer(base: str, deliveries: list[tuple[bytes, dict[str, str]]], rate: float,
                warmup: int) -> tuple[list[float], int, float]:
    """Sends at a fixed rate (open loop); latency counts from each request's scheduled time,
    so time spent queued behind a slow server counts too (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def one(index: int, scheduled: float) -> None:
            nonlocal errors
            body, headers = deliveries[index]
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                response = await client.post("/api/webhooks/orders", content=body, headers=headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if index >= warmup:
                latencies.append(time.perf_counter() - scheduled)
                errors += not ok

        start = time.perf_counter() + 0.2
        tasks = [asyncio.create_task(one(i, start + i / rate)) for i in range(len(deliveries))]
        await asyncio.gather(*tasks)
        measured_start = start + warmup / rate
        elapsed = time.perf_counter() - measured_start
    return latencies, errors, elapsed


def measure(label: str, base: str, deliveries, rate: float, warmup: int) -> Figures:
    latencies, errors, elapsed = asyncio.run(offer(base, deliveries, rate, warmup))
    latencies_ms = sorted(value * 1000 for value in latencies)
    p99 = latencies_ms[int(len(latencies_ms) * 0.99) - 1]
    return Figures(label, len(latencies_ms), len(latencies_ms) - errors, errors,
                   statistics.median(latencies_ms), p99, latencies_ms[-1],
                   (len(latencies_ms) - errors) / elapsed)


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def print_row(figures: Figures) -> None:
    print(f"  {figures.label:<24} p50 {figures.p50_ms:7.2f} ms   p99 {figures.p99_ms:7.2f} ms   "
          f"max {figures.max_ms:7.1f} ms   {figures.per_second:6.1f} acknowledged/s   "
          f"errors {figures.errors}/{figures.sent}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="offered deliveries per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured duration")
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    warmup = int(args.rate)  # the first second warms connections and caches up
    count = warmup + int(args.rate * args.seconds)
    print(f"webhook ingest: {args.rate:.0f} deliveries/s offered for {args.seconds:.0f} s "
          f"(+1 s warm-up), gunicorn gthread, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"  signing {count} distinct {EVENT} deliveries ...", flush=True)
    *deliveries, (_, extra) = signed_deliveries(count)

    with tempfile.TemporaryDirectory() as scratch:
        base_env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 40,
                    "VAR_DIR": scratch, "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1"}
        failed = False
        for db in args.db.split(","):
            # SQLite is the embedded, single-writer mode: one process, one thread, so writes
            # never wait on SQLite's sleeping busy handler. PostgreSQL gets 2 processes x 4 threads.
            workers, threads = SERVER_SHAPE[db]
            print(f"  -- {db}: gunicorn {workers} worker(s) x {threads} thread(s)", flush=True)
            with served("bare_django:application", base_env, workers, threads) as base:
                baseline = measure("bare Django view", base, deliveries, args.rate, warmup)
            print_row(baseline)
            env = dict(base_env)
            context = (postgres_database(f"bench_ingest_{os.getpid()}") if db == "postgres"
                       else _sqlite(scratch))
            with context as url:
                env["DATABASE_URL"] = url
                prepare_app(env, extra["jwks"])
                with served("plugin.wsgi:application", env, workers, threads) as base:
                    figures = measure(f"app on {db}", base, deliveries, args.rate, warmup)
                rows = stored_count(env)
            print_row(figures)
            print(f"  {'':<24} ratio to baseline: p50 x{figures.p50_ms / baseline.p50_ms:.2f}, "
                  f"p99 x{figures.p99_ms / baseline.p99_ms:.2f}, "
                  f"throughput x{figures.per_second / baseline.per_second:.2f}; "
                  f"inbox rows {rows}/{len(deliveries)}; target p99 < 50 ms: "
                  f"{'met' if figures.p99_ms < 50 and figures.errors == 0 else 'NOT met'}",
                  flush=True)
            failed |= rows != len(deliveries) or figures.errors > 0
    return 1 if failed else 0


@contextmanager
def _sqlite(scratch: str) -> Iterator[str]:
    yield f"sqlite:///{scratch}/bench.sqlite3"


if __name__ == "__main__":
    raise SystemExit(main())
