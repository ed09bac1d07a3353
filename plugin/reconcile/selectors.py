"""Reads of reconciliation: the watermark and the latest runs of an installation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plugin.reconcile.models import ReconcileRun, ReconcileState


def reconcile_watermark(*, installation: Any) -> datetime | None:
    state = ReconcileState.objects.filter(installation=installation).first()
    return state.watermark if state else None


def reconcile_runs_recent(*, installation: Any, limit: int = 20) -> list[ReconcileRun]:
    return list(
        ReconcileRun.objects.filter(installation=installation).order_by("-started_at", "-id")[
            :limit
        ]
    )
