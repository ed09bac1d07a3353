"""The Celery application, used only when CELERY_BROKER_URL is set (otherwise tasks run inline)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")

app = Celery("referrals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_acks_late = True  # a worker that dies mid-task leaves the message to be redelivered
app.conf.worker_prefetch_multiplier = 1
app.autodiscover_tasks()
