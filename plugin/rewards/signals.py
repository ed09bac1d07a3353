"""What the ledger announces for the app's edge to act on; `apps.py` connects the receivers.

The ledger never imports its background tasks: it says the outbox has work, once the
transaction that added the work commits, and the rewards tasks work it soon after.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

outbox_has_work = Signal()


def outbox_work_announce() -> None:
    """After the current transaction commits, tell whoever works the outbox."""
    transaction.on_commit(lambda: outbox_has_work.send(sender=None))
