"""Celery beat's reconciliation pass (every 15 minutes) over every active installation."""

from __future__ import annotations

import logging

from celery import shared_task

from plugin.install.models import Installation
from plugin.reconcile.services import orders_reconcile

log = logging.getLogger("plugin.reconcile")


@shared_task(name="reconcile.orders")
def reconcile_orders_task(installation_id: int | None = None) -> int:
    """Reconciles each active installation (or one); returns how many orders were fixed."""

    installations = Installation.objects.filter(is_active=True)
    if installation_id is not None:
        installations = installations.filter(pk=installation_id)
    fixed = 0
    for installation in installations:
        try:
            fixed += orders_reconcile(installation=installation).fixed
        except Exception:  # one shop's trouble must not starve the others
            log.exception("reconcile installation %s failed", installation.pk)
    return fixed
