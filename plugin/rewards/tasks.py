"""Background work of the rewards ledger: release due holds, work the outbox, rotate codes.

`rewards_tick` is the periodic task (Celery beat when a broker is configured, or
`manage.py rewards_release`); `outbox_kick` runs the outbox right after a commit that added to it;
`rewards_rotate_codes` replaces computable voucher codes (or `manage.py rewards_rotate_codes`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from plugin.install.http import saleor_transport
from plugin.rewards.code_rotation import redemption_codes_rotate
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.models import OutboxItem, OutboxStatus
from plugin.rewards.outbox import outbox_process
from plugin.saleor.client import SaleorClient
from plugin.tasks import task_enqueue

log = logging.getLogger("plugin.rewards")


def saleor_client_for(installation):
    """The app's GraphQL client for one installation, without blind retries: a mutation whose
    answer was lost is retried by the outbox, which first looks for what it may have made."""

    return SaleorClient(
        installation.saleor_api_url,
        installation.auth_token,
        transport=saleor_transport(),
        retries=0,
    )


def rewards_tick_run(*, now: datetime | None = None, installation=None, client_for=None) -> dict:
    """Release every due reward, then work the outbox; returns counts for the caller to print."""

    now = now or timezone.now()
    released = rewards_release(installation=installation, now=now)
    run = outbox_process(
        client_for=client_for or saleor_client_for, now=now, installation=installation
    )
    issued, failed = set(run.done), set(run.failed)
    # Without a broker a release works the outbox right after its commit, before the pass
    # above looks: what that did for the released rewards is this tick's work too.
    kicked = OutboxItem.objects.filter(reward__in=released)
    for pk, status, last_error in kicked.values_list("pk", "status", "last_error"):
        if status == OutboxStatus.DONE:
            issued.add(pk)
        elif last_error and pk not in issued:
            failed.add(pk)
    return {"released": len(released), "issued": len(issued), "failed": len(failed - issued)}


@shared_task(name="rewards.tick")
def rewards_tick() -> dict:
    return rewards_tick_run()


def codes_rotate_run(*, now: datetime | None = None, installation=None, client_for=None) -> dict:
    """Replace every voucher code flagged for rotation; counts by outcome for the caller."""

    run = redemption_codes_rotate(
        client_for=client_for or saleor_client_for,
        now=now or timezone.now(),
        installation=installation,
    )
    return {name: len(ids) for name, ids in vars(run).items()}


@shared_task(name="rewards.rotate_codes")
def rewards_rotate_codes() -> dict:
    return codes_rotate_run()


@shared_task(name="rewards.outbox")
def outbox_run() -> int:
    return len(outbox_process(client_for=saleor_client_for).done)


def outbox_kick() -> None:
    """Work the outbox soon: on Celery when configured, else inline (errors only logged)."""
    task_enqueue(outbox_run)


def outbox_kick_on_signal(**_signal) -> None:
    """`outbox_has_work` (sent after the commit that added the work) → `outbox_kick`."""
    outbox_kick()
