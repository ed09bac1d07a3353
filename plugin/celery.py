"""The Celery application, used only when CELERY_BROKER_URL is set (otherwise tasks run inline)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plugin.settings")

app = Celery("referrals")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_acks_late = True  # a worker that dies mid-task leaves the message to be redelivered
app.conf.worker_prefetch_multiplier = 1
app.autodiscover_tasks()

# Periodic work (Celery beat). Contests and the playbook; each entry is one task name.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "contests-finalize": {"task": "contests.finalize", "schedule": 300.0},
    "contests-rebuild": {"task": "contests.rebuild", "schedule": 3600.0},
    "playbook-messages": {"task": "playbook.messages", "schedule": 600.0},
    "playbook-win-back": {"task": "playbook.win_back", "schedule": 6 * 3600.0},
    # Webhook deliveries whose backoff has passed, or whose worker died mid-way.
    "webhooks-sweep": {"task": "webhooks.sweep", "schedule": 60.0},
    # Orders whose webhooks Saleor gave up on (after 5 retries), re-read from its API.
    "reconcile-orders": {"task": "reconcile.orders", "schedule": 900.0},
}
# Customer segments, recomputed in full every night (webhooks keep them current in between).
app.conf.beat_schedule["segments-recompute"] = {"task": "segments.recompute",
                                                "schedule": crontab(hour=3, minute=15)}
