"""Periodic work of segments: the nightly full recompute of every active shop (Celery beat
`segments.recompute`, or `manage.py segments_recompute`)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from plugin.install.models import Installation
from plugin.segments.services import segments_recompute


def segments_recompute_all(*, now: datetime, installation_id: int | None = None) -> dict[str, int]:
    shops = Installation.objects.filter(is_active=True).order_by("pk")
    if installation_id is not None:
        shops = shops.filter(pk=installation_id)
    totals = {"installations": 0, "customers": 0}
    for installation in shops:
        cuts = segments_recompute(installation=installation, now=now)
        totals["installations"] += 1
        totals["customers"] += cuts.customers
    return totals


@shared_task(name="segments.recompute")
def segments_recompute_task(installation_id: int | None = None) -> dict:
    return segments_recompute_all(now=timezone.now(), installation_id=installation_id)
