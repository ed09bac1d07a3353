"""A database of a benchmark's own, migrated, with Django set up on it: PostgreSQL on
BENCH_POSTGRES_URL (created fresh, dropped afterwards unless kept for a rerun), or a throwaway
SQLite file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://referrals@127.0.0.1:54329/postgres")


def _admin(sql: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def django_on_own_database(name: str, *, fresh: bool = True, keep: bool = False) -> Iterator:
    """Yields Django's default connection, on database `name` (recreated unless `fresh` is off)."""
    if fresh:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _admin(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{POSTGRES.rpartition('/')[0]}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        call_command("migrate", verbosity=0)
        yield connection
    finally:
        connections.close_all()
        if not keep:
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def django_on_sqlite(prefix: str) -> Iterator:
    """Yields Django's default connection on a throwaway SQLite file in a new folder named
    `prefix…` (or on DATABASE_URL when it is set), migrated."""
    if "DATABASE_URL" not in os.environ:
        workdir = tempfile.mkdtemp(prefix=prefix)
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
        os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    yield connection
