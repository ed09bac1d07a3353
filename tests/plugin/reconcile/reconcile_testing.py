"""Shared values of the reconciliation tests."""

from __future__ import annotations

from datetime import UTC, datetime

INSTALLED = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # before the captured orders were placed
