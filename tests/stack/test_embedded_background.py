"""`make run` does its periodic work by itself: the demo started as `make run` starts it (web
server, worker and embedded beat on a SQLite broker), a referral posted to it as signed
webhooks, and nobody running a command: a failed delivery is retried, the held reward issued.

Bounded: beat's intervals are scaled down (`PERIODIC_SECONDS_SCALE`), every wait has a deadline.
The captured story is told again relative to the clock (every timestamp moved alike) so that the
14-day hold ends seconds after the fulfilment: any date gives the same run.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
from cryptography.hazmat.primitives import serialization
from stack_harness import (
    HOLD,
    REPO,
    STACK_PROGRAM,
    Processes,
    child_env,
    dashboard_call,
    delivery_post,
    free_port,
    http_ok,
    processes_reported,
    story_moved,
    wait_until,
)

from plugin.install.demo import DemoSigner
from tests.plugin.flows.flows_testing import deliveries_until

DEMO_API_URL = "http://demo.saleor.localhost/graphql/"
FULFILLED = ("ORDER_FULFILLED", 1)
HOLD_ENDS_IN = timedelta(seconds=15)  # after the fulfilment is posted: time to see it held


def _status(database, delivery_id: int) -> tuple[str, int] | None:
    """The delivery's status and how many times it was attempted."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=20) as db:
        row = db.execute("SELECT status, attempts FROM webhooks_webhookdelivery WHERE id = ?",
                         (delivery_id,)).fetchone()
    return tuple(row) if row else None


def _retried(status: tuple[str, int]) -> bool:
    state, attempts = status
    return state == "done" and attempts >= 2


def test_make_run_retries_failed_deliveries_and_issues_due_rewards_by_itself(tmp_path):
    var = tmp_path / "var"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_env(VAR_DIR=str(var), BIND=f"127.0.0.1:{port}", PERIODIC_SECONDS_SCALE="0.02")
    database = var / "referrals.sqlite3"
    processes = Processes(tmp_path / "logs")
    processes.extra_logs.append(var / "background.log")
    with processes_reported(processes):
        started = time.monotonic()
        processes.start("make-run", ["scripts/run-demo"], env)
        wait_until("/healthz", lambda: http_ok(f"{base}/healthz"), timeout=90,
                   processes=processes)
        print(f"make run answered /healthz after {time.monotonic() - started:.1f} s")

        token = httpx.post(f"{base}/dashboard/dev/token", timeout=30).json()["token"]
        dashboard_call(base, "POST", "program/publish", token=token, saleor_api_url=DEMO_API_URL,
                       json={"source": STACK_PROGRAM})
        key = serialization.load_pem_private_key((var / "demo-saleor-key.pem").read_bytes(), None)
        signer = DemoSigner(key)

        def post_and_wait(deliveries) -> None:
            """Posts a batch as Saleor would, then waits until the worker has done them all."""
            numbers = []
            for delivery in deliveries:
                response = delivery_post(base, delivery, signer=signer,
                                         saleor_api_url=DEMO_API_URL)
                assert response.status_code == 200, (delivery.path, response.text)
                numbers.append(response.json()["delivery"])
            wait_until(f"{len(numbers)} deliveries processed by the worker",
                       lambda: all(_status(database, n)[0] == "done" for n in numbers),
                       timeout=30, processes=processes)

        story = deliveries_until("ORDER_FULFILLED", 1)
        at = {(d.event, d.number): i for i, d in enumerate(story)}
        alice, checkout = at[("CUSTOMER_METADATA_UPDATED", 1)] + 1, at[("CHECKOUT_UPDATED", 6)]
        # The story told again now: the hold of 14 days ends HOLD_ENDS_IN after the fulfilment.
        now = datetime.now(UTC)
        told = story_moved(story, anchor=FULFILLED, to=now - HOLD + HOLD_ENDS_IN)
        post_and_wait(told[:alice])  # Alice's code arrives with her customer
        post_and_wait(told[alice:checkout])  # Bob signs up with it and fills his checkout

        # Bob's checkout with ALICE-REF failed an hour ago while Saleor was down.
        failed = failed_delivery_record(env, told[checkout], tmp_path)
        # (the script refuses to print an id unless that attempt failed; beat may retry at once)
        wait_until("the failed delivery retried by beat's sweep",
                   lambda: _retried(_status(database, failed)), timeout=30,
                   processes=processes)

        # Paid, then fulfilled now (each moved again: the hold still has HOLD_ENDS_IN to run).
        fulfilled = at[FULFILLED]
        post_and_wait(story_moved(story, anchor=FULFILLED, to=datetime.now(UTC) - HOLD
                                  + HOLD_ENDS_IN)[checkout + 1:fulfilled])
        post_and_wait(story_moved(story, anchor=FULFILLED, to=datetime.now(UTC) - HOLD
                                  + HOLD_ENDS_IN)[fulfilled:])
        print(f"story processed after {time.monotonic() - started:.1f} s")

        def alice_reward(state: str) -> dict | None:
            rewards = dashboard_call(base, "GET", "rewards", token=token,
                                     saleor_api_url=DEMO_API_URL)["rewards"]
            return next((r for r in rewards if "alice.referrer@example.com" in r["recipient"]
                         and r["state"] == state), None)

        held = alice_reward("held")
        assert held is not None, "the hold ended before the worker got to the fulfilment"
        assert datetime.fromisoformat(held["hold_until"]) > datetime.now(UTC)
        issued = wait_until("Alice's reward released by beat once its hold ended",
                            lambda: alice_reward("issued"),
                            timeout=HOLD_ENDS_IN.total_seconds() + 30, processes=processes)
        assert issued["reward"].startswith("10")

        # The reward is visible once the tick commits; its log line follows when the task ends.
        ticked = re.compile(r"Task rewards\.tick\[.*\] succeeded in .*'released': 1, 'issued': 1")
        wait_until("the tick that released Alice's reward logged as done",
                   lambda: ticked.search((var / "background.log").read_text()), timeout=30,
                   processes=processes)
        log = (var / "background.log").read_text()
        assert re.search(r"Task webhooks\.sweep\[.*\] succeeded in .*: 1$", log, re.M)

        # Ctrl-C stops the web server and the worker with its beat together (stop() fails on
        # any process of the group left behind).
        assert processes.stop("make-run", signal.SIGINT, timeout=30) is not None


def failed_delivery_record(env: dict[str, str], delivery, tmp_path) -> int:
    """The failed attempt, recorded by the app's own code in a process of its own (inline)."""
    body = tmp_path / f"{delivery.event}.json"
    body.write_bytes(delivery.body)
    result = subprocess.run(
        [sys.executable, "tests/stack/failed_delivery.py", delivery.event, str(body)],
        cwd=REPO, env={**env, "DEMO_SALEOR": "1"}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return int(result.stdout.strip().splitlines()[-1])
