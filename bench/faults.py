"""The long fault run on the production stack (tests/stack/test_faults.py is the short one):
shoppers' orders are paid while the Celery worker is killed at random points (100 times by
default), PostgreSQL and Redis restart and the stand-in Saleor answers 5xx and times out; then
every reward must exist in Saleor exactly once and nothing may be left waiting.

    .venv/bin/python bench/faults.py [--orders 60] [--kills 100] [--seconds 300] [--seed 13]

Prints what was done to the app and how long it took to settle afterwards; the baseline is the
same run without faults (`--kills 0 --calm`), which settles as soon as the work is done.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "stack")]

import os  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")
import django  # noqa: E402

django.setup()

import fault_run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=300.0, help="how long the trouble lasts")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--calm", action="store_true",
                        help="no Saleor trouble and no restarts (the baseline)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    if args.calm:
        fault_run.TROUBLE = False
    plan = fault_run.FaultPlan(orders=args.orders, kills=args.kills, seconds=args.seconds,
                               seed=args.seed, settle_seconds=900)
    print(f"faults: {plan}", flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="faults-") as scratch:
        report = fault_run.fault_run(Path(scratch), plan)
    print(f"  {len(report.kills)} kills, dead letters retried from the dashboard "
          f"{report.dead_retried}, Saleor resent {dict(report.resent)}")
    print(f"  settled {report.settled_after:.1f} s after the trouble ended; gift cards "
          f"{report.gift_cards}, vouchers {report.vouchers} for {plan.orders} paid orders "
          f"(exactly once each); whole run {time.monotonic() - started:.0f} s")
    for at, what in report.events:
        print(f"    {at:7.1f} s  {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
