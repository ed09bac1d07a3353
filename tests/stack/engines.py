"""Redis and PostgreSQL of a run's own, on loopback ports, that a fault run may stop and start
again: Debian's redis-server (nothing kept on disk) and a PostgreSQL cluster made with
scripts/start-postgres in a folder of its own, so restarting it disturbs nobody else's database."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import redis
from stack_harness import REPO, free_port, wait_until

REDIS_SERVER = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")


def service_env() -> dict[str, str]:
    """Redis and PostgreSQL keep the machine's real clock when the suite runs with a shifted
    one (libfaketime hangs redis-server's allocator)."""
    return {k: v for k, v in os.environ.items()
            if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


class RedisServer:
    """`start()`, `stop()`, `restart()` on one port: the broker's address never changes."""

    def __init__(self, folder: Path) -> None:
        assert REDIS_SERVER, "redis-server is not installed (Debian package redis-server)"
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._server: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self._server = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True, env=service_env(),
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)

        def answers() -> bool:
            assert self._server.poll() is None, (self.folder / "redis.log").read_text()
            try:
                return client.ping()
            except redis.ConnectionError:
                return False  # not listening yet

        wait_until("redis-server", answers, timeout=20)
        return self

    def stop(self) -> None:
        if self._server is not None and self._server.poll() is None:
            self._server.terminate()
            self._server.wait(20)
        self._server = None

    def restart(self) -> None:
        """A restart as an operator's would be: every queued message is gone with it (no
        append-only file here), so what was waiting must be found again by the app's sweep."""
        self.stop()
        self.start()


class PostgresServer:
    """A throwaway cluster on a port of its own, made by scripts/start-postgres."""

    def __init__(self) -> None:
        # Not under a private scratch folder: the server runs as the postgres user.
        self.folder = Path(tempfile.mkdtemp(prefix="referrals-pg-"))
        self.port = free_port()
        self.pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                            key=lambda p: int(p.parent.name))[-1]
        self.admin_url = ""

    def start(self) -> PostgresServer:
        self.admin_url = subprocess.run(
            [str(REPO / "scripts" / "start-postgres")], check=True, capture_output=True,
            text=True, timeout=120,
            env={**service_env(), "PGPORT": str(self.port), "PGDATA_DIR": str(self.folder)},
        ).stdout.strip()
        return self

    def _ctl(self, *args: str) -> None:
        command = [str(self.pgbin / "pg_ctl"), "-D", str(self.folder), *args]
        if os.getuid() == 0:  # scripts/start-postgres made the cluster as postgres
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, env=service_env())

    def restart(self) -> None:
        """A fast restart: every connection is cut, as on a failover or an upgrade."""
        self._ctl("-l", str(self.folder / "log"), "-w", "-m", "fast", "restart")

    def stop(self) -> None:
        if (self.folder / "postmaster.pid").exists():
            self._ctl("-w", "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"
