"""Payout statements and marking a period paid: released commissions and clawbacks of the
period, never a held or voided commission, never the same entry twice (the database says so)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from affiliates_testing import T0
from django.db import IntegrityError, transaction

from plugin.affiliates.models import Partner, Payout, PayoutItem
from plugin.affiliates.payouts import payout_mark_paid
from plugin.affiliates.services import PartnerError
from plugin.affiliates.statement import partner_statement, statement_lines
from plugin.programs.models import AuditLog
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.models import Reward, RewardEntry

pytestmark = pytest.mark.django_db

NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)
FEB = date(2027, 2, 1)
HOLD_OVER = T0 + timedelta(days=30, minutes=1)  # 2026-12-22
STAFF = SimpleNamespace(email="ann@shop.example", user_id="VXNlcjo1")
AFTER_DECEMBER = datetime(2027, 1, 2, tzinfo=UTC)


def _lines(start: date, end: date) -> list:
    return list(statement_lines(partner=Partner.objects.get(), start=start, end=end))


def _sold(deliver, partner) -> Reward:
    code = partner.codes.get().code
    for event in ("ORDER_CREATED", "ORDER_FULLY_PAID", "ORDER_FULFILLED"):
        deliver(event, code=code)
    return Reward.objects.get(recipient_role="affiliate")


def test_a_held_commission_is_shown_but_nothing_is_payable(deliver, partner):
    reward = _sold(deliver, partner)

    november = partner_statement(partner=partner, start=NOV, end=DEC).totals["USD"]
    assert (november.orders, november.revenue) == (1, Decimal("84.99"))
    assert (november.held_count, november.held) == (1, reward.amount)
    assert (november.commission, november.net) == (0, 0)
    with pytest.raises(PartnerError, match="nothing is payable"):
        payout_mark_paid(partner=partner, start=NOV, end=DEC, actor=STAFF, now=AFTER_DECEMBER)
    assert not Payout.objects.exists()


def test_the_released_commission_is_paid_once_with_its_period(deliver, partner):
    reward = _sold(deliver, partner)
    rewards_release(now=HOLD_OVER)

    december = partner_statement(partner=partner, start=DEC, end=JAN)
    totals = december.totals["USD"]
    assert [line.kind for line in _lines(DEC, JAN)] == ["commission"]
    assert (totals.commission, totals.clawbacks, totals.net, totals.unpaid) == (
        reward.amount, 0, reward.amount, reward.amount)
    assert totals.held_count == 0

    with pytest.raises(PartnerError, match="once it is over"):
        payout_mark_paid(partner=partner, start=DEC, end=JAN, actor=STAFF, now=HOLD_OVER)
    [payout] = payout_mark_paid(partner=partner, start=DEC, end=JAN, actor=STAFF,
                                now=AFTER_DECEMBER, reference="SEPA 2027-001")

    assert (payout.net, payout.currency, payout.paid_by) == (reward.amount, "USD",
                                                             "ann@shop.example")
    assert payout.items.get().entry.action == "released"
    audit = AuditLog.objects.get(action="payout_marked_paid")
    assert audit.details["net"] == {"USD": str(reward.amount)}
    assert audit.actor_email == "ann@shop.example"
    again = partner_statement(partner=partner, start=DEC, end=JAN)
    assert again.totals["USD"].unpaid == 0 and again.payable[0].paid_in == payout.pk
    assert _lines(DEC, JAN)[0].paid_in == payout.pk
    with pytest.raises(PartnerError, match="already paid"):
        payout_mark_paid(partner=partner, start=DEC, end=JAN, actor=STAFF, now=AFTER_DECEMBER)


def test_a_clawback_after_payment_is_deducted_in_its_own_period(deliver, partner):
    reward = _sold(deliver, partner)
    rewards_release(now=HOLD_OVER)
    payout_mark_paid(partner=partner, start=DEC, end=JAN, actor=STAFF, now=AFTER_DECEMBER)

    deliver("ORDER_REFUNDED", 1, code=partner.codes.get().code,
            at=datetime(2027, 1, 10, tzinfo=UTC))

    january = partner_statement(partner=partner, start=JAN, end=FEB)
    clawed = reward.amount - reward.entries.order_by("-seq").first().amount
    assert [line.kind for line in _lines(JAN, FEB)] == ["clawback"]
    assert (january.totals["USD"].clawbacks, january.totals["USD"].net) == (clawed, -clawed)
    [payout] = payout_mark_paid(partner=partner, start=JAN, end=FEB, actor=STAFF,
                                now=datetime(2027, 2, 1, 9, tzinfo=UTC))
    assert payout.net == -clawed  # the partner owes it; the next transfer is that much smaller


def test_a_commission_voided_before_release_is_never_payable(deliver, partner):
    _sold(deliver, partner)
    deliver("ORDER_FULLY_REFUNDED", 1, code=partner.codes.get().code)
    rewards_release(now=HOLD_OVER)

    november = partner_statement(partner=partner, start=NOV, end=DEC).totals["USD"]
    assert november.voided_count == 1 and november.held_count == 0
    for start, end in ((NOV, DEC), (DEC, JAN)):
        with pytest.raises(PartnerError, match="nothing is payable"):
            payout_mark_paid(partner=partner, start=start, end=end, actor=STAFF,
                             now=AFTER_DECEMBER)


def test_the_database_refuses_to_pay_one_entry_twice(deliver, partner):
    _sold(deliver, partner)
    rewards_release(now=HOLD_OVER)
    [payout] = payout_mark_paid(partner=partner, start=DEC, end=JAN, actor=STAFF,
                                now=AFTER_DECEMBER)
    entry = RewardEntry.objects.get(action="released")
    # another payout of an overlapping period, written past the service's own checks
    other = Payout.objects.create(
        installation=partner.installation, partner=partner, period_start=date(2026, 12, 15),
        period_end=JAN, currency="USD", commission=entry.amount, clawbacks=0, net=entry.amount,
        paid_at=AFTER_DECEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutItem.objects.create(payout=other, entry=entry, amount=entry.amount)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            installation=partner.installation, partner=partner, period_start=DEC, period_end=JAN,
            currency="USD", commission=0, clawbacks=0, net=0, paid_at=AFTER_DECEMBER)
    assert PayoutItem.objects.get(entry=entry).payout == payout
