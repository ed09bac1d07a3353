"""The whole production stack for a run of its own: Redis and PostgreSQL that may be restarted,
the app installed from a stand-in Saleor through gunicorn, and the web, worker and beat parts of
`scripts/run-production` started and stopped by name. Used by the fault test and bench/."""

from __future__ import annotations

import secrets
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx
import psycopg
from cryptography.fernet import Fernet
from engines import PostgresServer, RedisServer
from stack_harness import (
    REPO,
    Processes,
    child_env,
    dashboard_call,
    free_port,
    http_ok,
    wait_until,
)
from standin_saleor import StandInSaleor


class ProductionStack:
    """`with ProductionStack(folder, saleor) as stack:` migrated, serving and installed; the
    worker and beat start when asked (`stack.start("worker")`). Everything stops on the way out."""

    def __init__(self, folder: Path, saleor: StandInSaleor, *, web_workers: int = 2,
                 worker_concurrency: int = 2, periodic_scale: float = 1.0,
                 **settings: str) -> None:
        self.folder = folder
        self.saleor = saleor
        self.redis = RedisServer(folder / "redis")
        self.postgres = PostgresServer()
        self.processes = Processes(folder / "logs")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._shape = (web_workers, worker_concurrency, periodic_scale)
        self._settings = settings
        self.env: dict[str, str] = {}
        self.database_url = ""
        self.token = ""

    def __enter__(self) -> ProductionStack:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self.redis.start()
        self.postgres.start()
        self.database_url = self.postgres.database("referrals")
        web_workers, worker_concurrency, scale = self._shape
        self.env = child_env(
            SECRET_KEY=secrets.token_urlsafe(48),
            FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            APP_URL="https://referrals.stack.example",
            ALLOWED_HOSTS="127.0.0.1",
            ALLOWED_SALEOR_URLS=self.saleor.api_url,
            ALLOW_PRIVATE_SALEOR_URLS="1",
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=self.redis.url,
            PERIODIC_SECONDS_SCALE=str(scale),
            VAR_DIR=str(self.folder / "var"),
            BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(web_workers),
            WORKER_CONCURRENCY=str(worker_concurrency),
            LOG_LEVEL="WARNING",
            **self._settings,
        )
        migrate = subprocess.run(["scripts/run-production", "migrate"], cwd=REPO, env=self.env,
                                 capture_output=True, text=True, timeout=180)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        self.start("web")
        wait_until("gunicorn /healthz", lambda: http_ok(f"{self.base}/healthz"), timeout=60,
                   processes=self.processes)
        response = httpx.post(
            f"{self.base}/api/register", json={"auth_token": "stand-in-app-token"}, timeout=30,
            headers={"Saleor-Api-Url": self.saleor.api_url,
                     "Saleor-Domain": self.saleor.api_url.split("/")[2]})
        assert response.status_code == 200, response.text
        self.token = self.saleor.signer.mint_dashboard_token(
            saleor_api_url=self.saleor.api_url, app_id=response.json()["app_id"])

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.processes.stop_all()
        self.redis.stop()
        self.postgres.stop()

    def start(self, part: str, name: str | None = None) -> None:
        """A part of scripts/run-production (web, worker, beat) under `name` (default: part)."""
        self.processes.start(name or part, ["scripts/run-production", part], self.env)

    def dashboard(self, method: str, path: str, **json) -> dict:
        return dashboard_call(self.base, method, path, token=self.token,
                              saleor_api_url=self.saleor.api_url, json=json or None)

    def query(self, sql: str, *params) -> list[tuple]:
        """One read of the app's database, on a connection of its own (it may be restarting)."""
        for attempt in range(20):
            try:
                with psycopg.connect(self.database_url, connect_timeout=5) as db:
                    return db.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                if attempt == 19:
                    raise
                time.sleep(0.5)
        return []

    def deliveries_by_status(self) -> dict[str, int]:
        return dict(self.query(
            "SELECT status, count(*) FROM webhooks_webhookdelivery GROUP BY status"))
