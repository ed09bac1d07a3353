"""Shared values of the partner tests."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2026, 11, 22, 18, 58, 30, tzinfo=UTC)  # order #21 of the captures is placed
