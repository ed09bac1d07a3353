"""The production stack on real engines: Redis as broker, PostgreSQL as database, gunicorn, a
Celery worker and one beat as separate processes with APP_ENV=production (`scripts/run-production`).

The app is installed through a stand-in Saleor served over loopback HTTP, the captured story is
posted as signed deliveries, and the test sees the web process only store them (nothing inline),
the worker decide Alice's reward and hold it, and beat release it once the hold is over: a gift
card in the stand-in Saleor. Runs when TEST_STACK=1 (`scripts/test-production-stack`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
import redis
from cryptography.fernet import Fernet
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
from standin_saleor import StandInSaleor

from plugin.webhooks.registry import handlers_for
from tests.plugin.flows.flows_testing import deliveries_until

REDIS_SERVER = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
def service_env() -> dict[str, str]:
    """Redis and PostgreSQL are the machine's services: they keep the machine's real clock
    when the suite runs with a shifted one (libfaketime hangs redis-server's allocator)."""
    return {k: v for k, v in os.environ.items()
            if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(
        os.environ.get("TEST_STACK") != "1",
        reason="the production stack runs with TEST_STACK=1 (scripts/test-production-stack)",
    ),
]
FULFILLED = ("ORDER_FULFILLED", 1)
HOLD_ENDS_IN = timedelta(seconds=15)  # after the fulfilment is posted: time to see it held
ALICE = "alice.referrer@example.com"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """Debian's redis-server on a loopback port of its own, nothing kept on disk."""
    assert REDIS_SERVER, "redis-server is not installed (Debian package redis-server)"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=(folder / "redis.log").open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True, env=service_env(),
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)

        def answers() -> bool:
            assert server.poll() is None, (folder / "redis.log").read_text()
            try:
                return client.ping()
            except redis.ConnectionError:
                return False  # not listening yet

        wait_until("redis-server", answers, timeout=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(20)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A database of its own on the throwaway PostgreSQL of scripts/start-postgres."""
    server = subprocess.run([str(REPO / "scripts" / "start-postgres")], check=True,
                            capture_output=True, text=True, timeout=120,
                            env=service_env()).stdout.strip()
    name = f"referrals_stack_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(*, tmp_path, saleor: StandInSaleor, database_url: str, redis_url: str,
                   port: int) -> dict[str, str]:
    """Every setting production requires, for a Saleor on loopback named exactly."""
    return child_env(
        SECRET_KEY=secrets.token_urlsafe(48),
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        APP_URL="https://referrals.stack.example",
        ALLOWED_HOSTS="127.0.0.1",
        ALLOWED_SALEOR_URLS=saleor.api_url,
        ALLOW_PRIVATE_SALEOR_URLS="1",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis_url,
        PERIODIC_SECONDS_SCALE="0.02",  # beat's 5-minute release every 6 s
        VAR_DIR=str(tmp_path / "var"),
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="2",
    )


def _statuses(database_url: str, ids: list[int]) -> list[str]:
    with psycopg.connect(database_url) as db:
        rows = db.execute("SELECT status FROM webhooks_webhookdelivery WHERE id = ANY(%s) "
                          "ORDER BY id", (ids,)).fetchall()
    return [status for (status,) in rows]


def test_web_worker_and_beat_run_a_referral_on_redis_and_postgresql(
    tmp_path, database_url, redis_url
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = Processes(tmp_path / "logs")
    with StandInSaleor() as saleor, processes_reported(processes):
        env = production_env(tmp_path=tmp_path, saleor=saleor, database_url=database_url,
                             redis_url=redis_url, port=port)
        started = time.monotonic()
        migrate = subprocess.run(["scripts/run-production", "migrate"], cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        processes.start("web", ["scripts/run-production", "web"], env)
        wait_until("gunicorn /healthz", lambda: http_ok(f"{base}/healthz"), timeout=60,
                   processes=processes)
        print(f"migrated and serving after {time.monotonic() - started:.1f} s")

        # Saleor's install handshake: the token, then the app asks who it is and reads the JWKS.
        response = httpx.post(
            f"{base}/api/register", json={"auth_token": "stand-in-app-token"}, timeout=30,
            headers={"Saleor-Api-Url": saleor.api_url,
                     "Saleor-Domain": saleor.api_url.split("/")[2]})
        assert response.status_code == 200, response.text
        app_id = response.json()["app_id"]
        assert saleor.fake.calls("app_whoami")
        token = saleor.signer.mint_dashboard_token(saleor_api_url=saleor.api_url, app_id=app_id)

        def dashboard(method: str, path: str, **json) -> dict:
            return dashboard_call(base, method, path, token=token, saleor_api_url=saleor.api_url,
                                  json=json or None)

        dashboard("POST", "program/publish", source=STACK_PROGRAM)

        def post(deliveries) -> list[int]:
            ids = []
            for delivery in deliveries:
                answer = delivery_post(base, delivery, signer=saleor.signer,
                                       saleor_api_url=saleor.api_url)
                assert answer.status_code == 200, (delivery.path, answer.text)
                ids.append(answer.json()["delivery"])
            return ids

        def processed(ids: list[int]) -> None:
            wait_until(f"{len(ids)} deliveries done by the worker",
                       lambda: _statuses(database_url, ids) == ["done"] * len(ids),
                       timeout=30, processes=processes)

        story = deliveries_until("ORDER_FULFILLED", 1)
        at = {(d.event, d.number): i for i, d in enumerate(story)}
        alice = at[("CUSTOMER_METADATA_UPDATED", 1)] + 1
        paid = at[("ORDER_CREATED", 1)]
        told = story_moved(story, anchor=FULFILLED, to=datetime.now(UTC) - HOLD + HOLD_ENDS_IN)

        # No worker yet: the web workers store and acknowledge, and run nothing themselves
        # (an event no handler wants is complete once stored).
        first = post(told[:alice])
        time.sleep(3)
        waiting = ["received" if handlers_for(d.event) else "done" for d in told[:alice]]
        assert "received" in waiting
        assert _statuses(database_url, first) == waiting

        processes.start("worker", ["scripts/run-production", "worker"], env)
        processed(first)  # Alice's code arrives with her customer
        processed(post(told[alice:paid]))  # Bob signs up with it; his checkout gets the discount
        assert saleor.shop.checkout_codes, "the worker put Bob's discount code on his checkout"

        fulfilled = at[FULFILLED]
        processed(post(story_moved(story, anchor=FULFILLED,  # paid: the worker decides
                                   to=datetime.now(UTC) - HOLD + HOLD_ENDS_IN)[paid:fulfilled]))
        # Fulfilled now, so the 14-day hold has just HOLD_ENDS_IN left: the worker holds it.
        processed(post(story_moved(story, anchor=FULFILLED,
                                   to=datetime.now(UTC) - HOLD + HOLD_ENDS_IN)[fulfilled:]))

        def alice_reward(state: str) -> dict | None:
            rewards = dashboard("GET", "rewards")["rewards"]
            return next((r for r in rewards if ALICE in r["recipient"] and r["state"] == state),
                        None)

        held = alice_reward("held")
        assert held is not None, "the hold ended before the worker got to the fulfilment"
        due = datetime.fromisoformat(held["hold_until"])
        assert due > datetime.now(UTC)

        # The hold ends; with no beat nothing releases it.
        wait_until("the end of the hold", lambda: datetime.now(UTC) > due + timedelta(seconds=2),
                   timeout=HOLD_ENDS_IN.total_seconds() + 5)
        assert alice_reward("held") is not None and saleor.shop.gift_cards == {}

        processes.start("beat", ["scripts/run-production", "beat"], env)
        issued = wait_until("Alice's reward released by beat", lambda: alice_reward("issued"),
                            timeout=40, processes=processes)
        assert issued["reward"].startswith("10")
        (card,) = saleor.shop.gift_cards.values()
        assert card["currentBalance"] == {"amount": 10.0, "currency": "USD"}
        assert saleor.shop.sent_to == [(ALICE, card["id"])]

        logs = {name: (processes.logs / f"{name}.log").read_text() for name in processes.running}
        assert "Task webhooks.process_delivery[" in logs["worker"]
        assert "'released': 1, 'issued': 1" in logs["worker"]
        assert "Sending due task rewards-tick (rewards.tick)" in logs["beat"]
        assert "webhooks.process_delivery" not in logs["web"]
        print(f"referral released by beat after {time.monotonic() - started:.1f} s")

        for name in ("beat", "worker", "web"):  # as a supervisor stops them
            assert processes.stop(name, signal.SIGTERM, timeout=30) == 0, name


def test_run_production_starts_every_part_and_stops_them_together(
    tmp_path, database_url, redis_url
):
    port = free_port()
    processes = Processes(tmp_path / "logs")
    with StandInSaleor() as saleor, processes_reported(processes):
        env = production_env(tmp_path=tmp_path, saleor=saleor, database_url=database_url,
                             redis_url=redis_url, port=port)
        processes.start("run-production", ["scripts/run-production"], env)
        wait_until("/healthz", lambda: http_ok(f"http://127.0.0.1:{port}/healthz"), timeout=90,
                   processes=processes)
        log = processes.logs / "run-production.log"
        wait_until("the worker and beat", lambda: "ready." in log.read_text()
                   and "beat: Starting..." in log.read_text(), timeout=60, processes=processes)

        # web, worker and beat all stop with it (stop() fails on any process left behind)
        assert processes.stop("run-production", signal.SIGTERM, timeout=40) is not None
