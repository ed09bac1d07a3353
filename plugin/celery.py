"""The Celery application, used when CELERY_BROKER_URL is set (otherwise tasks run inline).

`make run` points it at a SQLite file (kombu's SQLAlchemy transport) and starts one worker
with an embedded beat; production uses Redis, several workers and one `celery beat`. The
periodic work itself is listed in `plugin/periodic.py` (settings: CELERY_BEAT_SCHEDULE).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")

app = Celery("referrals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_acks_late = True  # a worker that dies mid-task leaves the message to be redelivered
app.conf.worker_prefetch_multiplier = 1
app.autodiscover_tasks()
