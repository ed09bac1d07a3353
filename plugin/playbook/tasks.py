"""Periodic work of the playbook (Celery beat, or the management commands): send due e-mails,
plan reorder reminders, and run the win-back scan."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from plugin.install.models import Installation
from plugin.playbook.invites import planned_messages_send
from plugin.playbook.reorder import reorder_reminders_plan
from plugin.playbook.win_back import win_back_run


def playbook_messages_run(*, now: datetime) -> dict[str, int]:
    planned = sum(reorder_reminders_plan(installation=i, now=now)
                  for i in Installation.objects.filter(is_active=True))
    return {"reorder_planned": planned, "sent": planned_messages_send(now=now)}


@shared_task(name="playbook.messages")
def playbook_messages_task() -> dict:
    return playbook_messages_run(now=timezone.now())


@shared_task(name="playbook.win_back")
def playbook_win_back_task() -> dict:
    totals = {"asleep": 0, "offers": 0}
    for installation in Installation.objects.filter(is_active=True):
        for name, value in win_back_run(installation=installation, now=timezone.now()).items():
            totals[name] += value
    return totals
