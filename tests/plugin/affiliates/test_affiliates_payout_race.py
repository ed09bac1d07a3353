"""Two staff members mark the same period paid at the same moment (PostgreSQL): both pass the
"already paid?" check, and the database lets exactly one payout through."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from plugin.affiliates import payouts
from plugin.affiliates.models import Payout, PayoutItem
from plugin.affiliates.services import PartnerError
from plugin.programs.models import AuditLog
from plugin.rewards.lifecycle import rewards_release
from tests.plugin.affiliates.test_affiliates_payouts import (
    AFTER_DECEMBER,
    DEC,
    HOLD_OVER,
    JAN,
    STAFF,
    _sold,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrency"),
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_mark_paid_pays_once(deliver, partner, monkeypatch):
    _sold(deliver, partner)
    rewards_release(now=HOLD_OVER)
    barrier = threading.Barrier(2)
    read_statement = payouts.partner_statement

    def statement_then_wait(**kwargs):
        statement = read_statement(**kwargs)
        barrier.wait(timeout=30)  # both have seen an unpaid period before either writes
        return statement

    monkeypatch.setattr(payouts, "partner_statement", statement_then_wait)
    outcomes: list[object] = []

    def mark() -> None:
        try:
            outcomes.append(payouts.payout_mark_paid(partner=partner, start=DEC, end=JAN,
                                                     actor=STAFF, now=AFTER_DECEMBER))
        except PartnerError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refused = [o for o in outcomes if isinstance(o, PartnerError)]
    assert len(outcomes) == 2 and len(refused) == 1
    assert refused[0].status == 409 and "already paid" in refused[0].reason
    assert Payout.objects.count() == 1 and PayoutItem.objects.count() == 1
    assert AuditLog.objects.filter(action="payout_marked_paid").count() == 1
