"""The app's periodic work: one table of what Celery beat runs and how often.

`make run` starts a worker with an embedded beat on these; production runs one `celery beat`
beside its workers. `PERIODIC_SECONDS_SCALE` shortens every interval alike (tests, demos).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class Periodic:
    key: str  # the beat entry's name
    task: str  # the registered Celery task name
    seconds: float
    what: str


PERIODIC: tuple[Periodic, ...] = (
    Periodic("webhooks-sweep", "webhooks.sweep", 60,
             "retry failed webhook deliveries whose backoff has passed, or that a worker left"),
    Periodic("rewards-tick", "rewards.tick", 300,
             "release rewards whose hold has ended, then issue them through the outbox"),
    Periodic("contests-finalize", "contests.finalize", 300,
             "finalise ended contests and hand out their prizes, exactly once"),
    Periodic("playbook-messages", "playbook.messages", 600,
             "send due referral invites and plan reorder reminders"),
    Periodic("reconcile-orders", "reconcile.orders", 900,
             "re-read recent orders from Saleor and replay what webhooks missed"),
    Periodic("rewards-rotate-codes", "rewards.rotate_codes", 3600,
             "replace voucher codes flagged as computable, once their voucher exists in Saleor"),
    Periodic("contests-rebuild", "contests.rebuild", 3600,
             "rescore open contests (catches referrals refused in review)"),
    Periodic("playbook-win-back", "playbook.win_back", 6 * 3600,
             "find customers who fell asleep and offer them a win-back reward"),
    Periodic("segments-recompute", "segments.recompute", 24 * 3600,
             "measure the shop's cut points again and rescore every customer's segment"),
)


def beat_schedule(*, scale: float = 1.0) -> dict[str, dict[str, Any]]:
    """Celery's `beat_schedule` for PERIODIC, every interval multiplied by `scale`."""
    if not scale > 0:
        raise ValueError("the periodic scale must be a positive number")
    return {p.key: {"task": p.task, "schedule": p.seconds * scale} for p in PERIODIC}


# The longest one attempt of a live worker may take: a few calls to Saleor, each cut at its
# read timeout. A lease or a "stopped worker" deadline shorter than this would hand work that is
# still running to a second worker, which could then repeat its calls to Saleor.
LONGEST_ATTEMPT = timedelta(seconds=30)


def background_wait(base: timedelta, *, floor: timedelta = timedelta(0)) -> timedelta:
    """A wait of the background work (retry backoff, lease, when work counts as abandoned),
    scaled like beat's intervals by PERIODIC_SECONDS_SCALE, never below `floor`."""
    from django.conf import settings

    return max(base * settings.PERIODIC_SECONDS_SCALE, floor)
