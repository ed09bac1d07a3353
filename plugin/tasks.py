"""Running background work: inline after the response, or on Celery when a broker is configured.

Inline is the embedded default. Work enqueued during a request waits for the transaction to
commit and then for the response to be sent (Django's `request_finished`), so the HTTP answer
never waits for it or depends on it; outside a request it runs right after the commit. Failures
are recorded by the task itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction

from plugin.celery import app as celery_app

logger = logging.getLogger(__name__)
_local = threading.local()  # .after_response: jobs waiting for the current response to be sent


def uses_celery() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def _request_opened(**_kwargs: Any) -> None:
    _run_waiting()  # a request that never finished must not strand its jobs
    _local.after_response = []


def _request_closed(**_kwargs: Any) -> None:
    _run_waiting()


def _run_waiting() -> None:
    jobs = getattr(_local, "after_response", None) or []
    _local.after_response = None
    for job in jobs:
        job()


request_started.connect(_request_opened, dispatch_uid="plugin.tasks.request_opened")
request_finished.connect(_request_closed, dispatch_uid="plugin.tasks.request_closed")


def _after_response(job: Callable[[], None]) -> None:
    waiting = getattr(_local, "after_response", None)
    if waiting is None:
        job()
    else:
        waiting.append(job)


def task_enqueue(task: Any, **kwargs: Any) -> None:
    """Schedules a Celery task (`@shared_task`) to run once the current transaction commits."""

    def run() -> None:
        try:
            if uses_celery():
                celery_app.send_task(task.name, kwargs=kwargs)
            else:
                task.run(**kwargs)
        except Exception:  # inline work must never turn an accepted request into an error
            logger.exception("task %s failed to run or to be queued", getattr(task, "name", task))

    transaction.on_commit(lambda: _after_response(run))
