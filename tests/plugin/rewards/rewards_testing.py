"""Shared values of the rewards tests."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2026, 11, 22, 18, 58, 30, tzinfo=UTC)  # when order #21 was paid in the captures


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
