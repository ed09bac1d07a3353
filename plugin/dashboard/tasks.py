"""Celery task of the dashboard: a backtest run on a worker when a broker is configured."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dashboard.backtest")
def backtest_task(*, job_id: int) -> None:
    from plugin.dashboard.backtest import backtest_run

    backtest_run(job_id=job_id)
