"""Running the app's real processes in a test: each in its own process group with its output in a
log file, stopped by a signal; waiting with deadlines; posting signed captured deliveries."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from plugin.saleor.captures import CapturedDelivery
from plugin.saleor.testing import TestSigner
from tests.plugin.webhooks.replay import family_of

REPO = Path(__file__).resolve().parents[2]
# The captured story's program: Bob's discount at checkout, Alice's gift card after the hold.
HOLD = timedelta(days=14)
STACK_PROGRAM = """\
program "Stack" currency USD

on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD

on order paid when referred:
    give referrer 10 USD as gift card hold 14 days after fulfillment
"""
_STAMP = re.compile(rb'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+\+00:00)"')
T = TypeVar("T")
# What a child must not inherit from the suite: its own database, broker and test switches.
_SUITE_ONLY = ("DATABASE_URL", "TEST_DATABASE_NAME", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE",
               "APP_ENV", "DEBUG", "DEMO_SALEOR", "VAR_DIR", "PYTEST_CURRENT_TEST",
               "PERIODIC_SECONDS_SCALE")


def story_moved(deliveries: list[CapturedDelivery], *, anchor: tuple[str, int],
                to: datetime) -> list[CapturedDelivery]:
    """The captured deliveries told again at another time: every timestamp in their bodies moved
    by one shift, so that the `anchor` delivery's `issuedAt` is `to`."""
    first = next(d for d in deliveries if (d.event, d.number) == anchor)
    shift = to - datetime.fromisoformat(first.payload["issuedAt"])

    def move(stamp: re.Match) -> bytes:
        moved = datetime.fromisoformat(stamp[1].decode()) + shift
        return b'"' + moved.isoformat(timespec="microseconds").encode() + b'"'

    moved = []
    for delivery in deliveries:
        body = _STAMP.sub(move, delivery.body)
        moved.append(replace(delivery, body=body, payload=json.loads(body)))
    return moved


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(**values: str) -> dict[str, str]:
    """The machine's environment (clock shifts included) without the suite's own settings."""
    env = {k: v for k, v in os.environ.items() if k not in _SUITE_ONLY}
    return {**env, **values}


class Processes:
    """Started processes by name; `report()` gives every log for a failure message."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen] = {}
        self.extra_logs: list[Path] = []  # logs a process writes itself

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        with (self.logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        self.running[name] = process
        return process

    def check_alive(self, *names: str) -> None:
        for name in names or tuple(self.running):
            code = self.running[name].poll()
            if code is not None:
                raise AssertionError(f"{name} exited with {code}")

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Signals the process's whole group (as Ctrl-C or a supervisor would) and returns its
        exit code; fails if it outlives `timeout` or leaves any process of its group behind."""
        process = self.running.pop(name)
        if process.poll() is None:
            _signal_group(process.pid, sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(10)
                raise AssertionError(f"{name} did not stop within {timeout} s") from None
        deadline = time.monotonic() + 10
        while (left := group_members(process.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if left:
            _signal_group(process.pid, signal.SIGKILL)
            raise AssertionError(f"{name} stopped but left {len(left)} process(es) running")
        return process.returncode

    def stop_all(self) -> None:
        for name in list(self.running)[::-1]:
            with suppress(AssertionError):
                self.stop(name)

    def report(self) -> str:
        parts = []
        for path in [*sorted(self.logs.glob("*.log")), *self.extra_logs]:
            if not path.exists():
                continue
            text = path.read_text(errors="replace")
            parts.append(f"===== {path.stem} ({len(text)} chars, last 6000) =====\n{text[-6000:]}")
        return "\n".join(parts)


def _signal_group(pid: int, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, sig)


def group_members(pid: int) -> list[int]:
    """The processes still alive in the process group `pid` leads (from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pid and fields[0] != "Z":  # pgrp, and not a zombie
            members.append(int(entry.name))
    return members


@contextmanager
def processes_reported(processes: Processes) -> Iterator[Processes]:
    """Stops everything on the way out; a failure carries every process's log."""
    try:
        yield processes
    except BaseException as error:
        print(processes.report())
        raise AssertionError(f"{error}\n\n{processes.report()}") from error
    finally:
        processes.stop_all()


def wait_until(what: str, probe: Callable[[], T | None], *, timeout: float,
               processes: Processes | None = None, every: float = 0.25) -> T:
    """Polls `probe` until it returns something truthy; fails naming `what` at the deadline
    or as soon as a process it depends on has died."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if processes is not None:
            processes.check_alive()
        try:
            found = probe()
        except (httpx.HTTPError, OSError) as error:
            last = error  # not up yet
        else:
            if found:
                return found
            last = found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def http_ok(url: str) -> bool:
    return httpx.get(url, timeout=5).status_code == 200


def delivery_post(base_url: str, delivery: CapturedDelivery, *, signer: TestSigner,
                  saleor_api_url: str) -> httpx.Response:
    """POSTs a captured body to the app as that Saleor would send it, signed by `signer`."""
    return httpx.post(
        f"{base_url}/api/webhooks/{family_of(delivery.event)}",
        content=delivery.body,
        headers={
            "Content-Type": "application/json",
            "Saleor-Event": delivery.event.lower(),
            "Saleor-Domain": urlsplit(saleor_api_url).netloc,
            "Saleor-Api-Url": saleor_api_url,
            "Saleor-Signature": signer.sign_webhook(delivery.body),
        },
        timeout=30,
    )


def dashboard_call(base_url: str, method: str, path: str, *, token: str, saleor_api_url: str,
                   json: dict | None = None) -> dict:
    """One dashboard API call as the page inside Saleor's dashboard makes it."""
    response = httpx.request(
        method, f"{base_url}/dashboard/api/{path}", json=json, timeout=30,
        headers={"authorization-bearer": token, "saleor-api-url": saleor_api_url},
    )
    assert response.status_code < 300, (method, path, response.status_code, response.text)
    return response.json()
