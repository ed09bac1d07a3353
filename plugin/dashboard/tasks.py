"""Celery task of the dashboard: a backtest run on a worker when a broker is configured, or on a
thread of the web process without one."""

from __future__ import annotations

import threading

from celery import shared_task
from django.db import connections, transaction

from plugin.dashboard.backtest import backtest_run
from plugin.dashboard.models import BacktestJob
from plugin.tasks import task_enqueue, uses_celery


@shared_task(name="dashboard.backtest")
def backtest_task(*, job_id: int) -> None:
    backtest_run(job_id=job_id)


def backtest_job_start(*, job: BacktestJob) -> None:
    """On Celery when a broker is configured; otherwise on a thread of this process, so the
    request answers at once and the page can poll the row for progress."""
    if uses_celery():
        task_enqueue(backtest_task, job_id=job.pk)
        return

    def run() -> None:
        try:
            backtest_run(job_id=job.pk)
        finally:
            connections.close_all()  # this thread's own connection, never reused

    transaction.on_commit(lambda: threading.Thread(target=run, daemon=True,
                                                   name=f"backtest-{job.pk}").start())
