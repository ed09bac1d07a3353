"""Periodic work of contests: finalise ended contests and rebuild live score tables.

Scheduled by Celery beat (`plugin/celery.py`) or run by `manage.py contests_finalize`.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from plugin.contests.models import Contest
from plugin.contests.services import contest_rebuild
from plugin.use_cases.contest_finalize import contests_finalize_due


@shared_task(name="contests.finalize")
def contests_finalize_task() -> dict:
    return contests_finalize_due(now=timezone.now())


@shared_task(name="contests.rebuild")
def contests_rebuild_task() -> int:
    """Catch what live updates cannot see (e.g. a referral refused in review): rescore all."""

    rebuilt = 0
    for contest in Contest.objects.filter(status=Contest.Status.OPEN, installation__is_active=True):
        contest_rebuild(contest=contest)
        rebuilt += 1
    return rebuilt
