"""A lock per checkout, so two deliveries for one checkout never reconcile it at the same time.

On PostgreSQL a session-level advisory lock (not tied to a transaction: each step's write commits
on its own, so a crash mid-way leaves a record to resume from). SQLite has one writer and the
inline worker runs deliveries one at a time, so there it is a no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _lock_key(*parts: object) -> int:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def checkout_lock(*, installation_id: int, checkout_id: str) -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    key = _lock_key("checkout", installation_id, checkout_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
