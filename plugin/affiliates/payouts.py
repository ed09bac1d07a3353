"""Marking a partner's period paid: one payout per currency, one item per ledger entry it
settles. The database refuses a second payout of the same period and a second item for the
same entry, so two people pressing "mark paid" at once pay once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from plugin.affiliates.models import Partner, Payout, PayoutItem
from plugin.affiliates.services import PartnerError
from plugin.affiliates.statement import Payable, partner_statement
from plugin.programs.services import audit_record


def payout_mark_paid(*, partner: Partner, start: date, end: date, actor, now: datetime,
                     reference: str = "") -> list[Payout]:
    """Pay what the period's statement says is payable and unpaid; audited."""
    if end > now.date():
        raise PartnerError("a period can be marked paid once it is over", status=409)
    statement = partner_statement(partner=partner, start=start, end=end)
    if statement.payouts:
        raise PartnerError("this period is already paid", status=409)
    unpaid: dict[str, list[Payable]] = defaultdict(list)
    for entry in statement.payable:
        if entry.paid_in is None:
            unpaid[entry.currency].append(entry)
    if not unpaid:
        raise PartnerError("nothing is payable in this period", status=409)
    try:
        with transaction.atomic():
            payouts = [_payout(partner, start, end, currency, lines, actor, now, reference)
                       for currency, lines in sorted(unpaid.items())]
            audit_record(installation=partner.installation, actor=actor,
                         action="payout_marked_paid", object_type="partner",
                         object_id=partner.pk, details={
                             "partner": partner.name, "period": f"{start}..{end}",
                             "reference": reference,
                             "net": {p.currency: str(p.net) for p in payouts},
                             "entries": sum(len(lines) for lines in unpaid.values())})
    except IntegrityError as exc:  # someone else paid it a moment ago
        raise PartnerError("this period is already paid", status=409) from exc
    return payouts


def _payout(partner: Partner, start: date, end: date, currency: str,
            lines: list[Payable], actor, now: datetime, reference: str) -> Payout:
    commission = sum((x.amount for x in lines if x.amount > 0), Decimal(0))
    clawbacks = -sum((x.amount for x in lines if x.amount < 0), Decimal(0))
    payout = Payout.objects.create(
        installation=partner.installation, partner=partner, period_start=start,
        period_end=end, currency=currency, commission=commission, clawbacks=clawbacks,
        net=commission - clawbacks, reference=reference[:120],
        paid_by=str(getattr(actor, "email", "") or ""), paid_at=now)
    PayoutItem.objects.bulk_create(
        [PayoutItem(payout=payout, entry_id=x.entry_id, amount=x.amount) for x in lines])
    return payout
