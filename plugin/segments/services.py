"""Writes of segments: the full recompute of one shop (nightly) and the incremental update of the
customers one order touched (webhooks). Both run the same steps: figures (orders and advocacy),
then scores against the cut points; only the full run measures the cut points again."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder, Referral
from plugin.segments.aggregate import customers_insert
from plugin.segments.cuts import Cuts, cuts_get, cuts_measure, cuts_store
from plugin.segments.expressions import (
    advocate_score_expression,
    monetary_score_expression,
    score_expression,
    segment_expression,
)
from plugin.segments.models import CustomerSegment
from plugin.segments.rules import advocate_score, score_against, segment_of

log = logging.getLogger("plugin.segments")


def _rows_store(*, installation: Any, now: datetime, emails: list[str] | None) -> int:
    """Replaces the stored order figures of `emails` (None: every customer)."""
    stored = CustomerSegment.objects.filter(installation=installation)
    if emails is not None:
        stored = stored.filter(email__in=emails)
    stored.delete()  # nothing hangs on these rows: one DELETE statement
    return customers_insert(installation=installation, now=now, emails=emails)


def _rows_score(*, rows: Any, cuts: Cuts) -> None:
    rows.update(recency_score=score_expression("last_order_at", cuts.recency),
                frequency_score=score_expression("orders", cuts.frequency),
                monetary_score=monetary_score_expression(cuts.monetary))
    rows.update(segment=segment_expression(), advocate_score=advocate_score_expression())


def _rows_score_each(*, rows: Any, cuts: Cuts) -> None:
    """The same scores as `_rows_score`, worked out in Python for the few customers one order
    touches: building the UPDATEs' large CASE expressions costs the worker far more than these
    rows do."""
    for row in rows:
        recency = score_against(row.last_order_at, cuts.recency)
        frequency = score_against(row.orders, cuts.frequency)
        monetary = score_against(row.monetary, cuts.monetary.get(row.currency) or [])
        segment = segment_of(recency=recency, frequency=frequency, monetary=monetary,
                             orders=row.orders)
        CustomerSegment.objects.filter(pk=row.pk).update(
            recency_score=recency, frequency_score=frequency, monetary_score=monetary,
            segment=segment, advocate_score=advocate_score(
                segment=segment, frequency=frequency, monetary=monetary,
                converted=row.converted))


def segments_recompute(*, installation: Any, now: datetime, remeasure: bool = True) -> Cuts:
    """Every customer of the shop from its whole order history. `remeasure=False` keeps the
    stored cut points (what an incremental update scores against); the nightly run remeasures."""
    with transaction.atomic():
        count = _rows_store(installation=installation, now=now, emails=None)
        rows = CustomerSegment.objects.filter(installation=installation)
        cuts = None if remeasure else cuts_get(installation=installation)
        if cuts is None:
            cuts = cuts_measure(rows=rows, now=now)
            cuts_store(installation=installation, cuts=cuts)
        _rows_score(rows=rows, cuts=cuts)
    log.info("segments of installation %s: %s customers", installation.pk, count)
    return cuts


def segments_update_customers(*, installation: Any, emails: Iterable[str], now: datetime) -> int:
    """Recompute the named customers against the stored cut points; before the first full run
    (no cut points yet) the whole shop is computed instead. Returns the customers rewritten."""
    wanted = sorted({email_normalise(email) for email in emails} - {""})
    if not wanted:
        return 0
    cuts = cuts_get(installation=installation)
    if cuts is None or not cuts.recency:
        return segments_recompute(installation=installation, now=now).customers
    for attempt in range(2):
        try:
            with transaction.atomic():
                count = _rows_store(installation=installation, now=now, emails=wanted)
                rows = CustomerSegment.objects.filter(installation=installation,
                                                      email__in=wanted)
                _rows_score_each(rows=rows, cuts=cuts)
            return count
        except IntegrityError:  # a concurrent delivery wrote the same customer first: redo
            if attempt:
                raise
    return 0


def order_customers(*, installation: Any, order_id: str) -> list[str]:
    """Whose figures an order moves: its buyer, and the referrer its referral names."""
    buyer = CustomerOrder.objects.filter(installation=installation, order_id=order_id
                                         ).values_list("email", "referral__referrer_email")
    emails = {email for row in buyer for email in row if email}
    emails.update(Referral.objects.filter(installation=installation, order_id=order_id)
                  .values_list("referrer_email", flat=True))
    return sorted(emails)
