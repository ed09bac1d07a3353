"""The shop's distribution: quintile cut points read from the stored rows (one sorted stream per
dimension, so memory stays flat), and their JSON form in `SegmentCuts`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.dateparse import parse_datetime

from plugin.segments.models import SegmentCuts
from plugin.segments.rules import cut_ranks

CHUNK = 5000


@dataclass(frozen=True)
class Cuts:
    """Cut points of one full run; monetary per currency."""

    computed_at: datetime
    customers: int
    recency: list[datetime]
    frequency: list[int]
    monetary: dict[str, list[Decimal]] = field(default_factory=dict)


def _cuts_of(rows: QuerySet, column: str, count: int) -> list[Any]:
    """The values at the nearest-rank positions, picked from one ordered stream."""
    wanted = cut_ranks(count)
    if not wanted:
        return []
    found: dict[int, Any] = {}
    values = rows.order_by(column).values_list(column, flat=True)[: wanted[-1] + 1]
    for position, value in enumerate(values.iterator(chunk_size=CHUNK)):
        if position in wanted:
            found[position] = value
    return [found[position] for position in wanted]


def cuts_measure(*, rows: QuerySet, now: datetime) -> Cuts:
    """The distribution of `rows` (one installation's stored customers)."""
    count = rows.count()
    per_currency = dict(rows.values_list("currency").annotate(n=Count("pk")).order_by())
    return Cuts(
        computed_at=now, customers=count,
        recency=_cuts_of(rows, "last_order_at", count),
        frequency=_cuts_of(rows, "orders", count),
        monetary={currency: _cuts_of(rows.filter(currency=currency), "monetary", n)
                  for currency, n in sorted(per_currency.items())},
    )


def cuts_store(*, installation: Any, cuts: Cuts) -> SegmentCuts:
    stored, _ = SegmentCuts.objects.update_or_create(installation=installation, defaults={
        "computed_at": cuts.computed_at, "customers": cuts.customers,
        "recency": [value.isoformat() for value in cuts.recency],
        "frequency": list(cuts.frequency),
        "monetary": {currency: [str(value) for value in values]
                     for currency, values in cuts.monetary.items()},
    })
    return stored


def cuts_get(*, installation: Any) -> Cuts | None:
    """The cut points of the last full run, or None before the first one."""
    stored = SegmentCuts.objects.filter(installation=installation).first()
    if stored is None:
        return None
    return Cuts(
        computed_at=stored.computed_at, customers=stored.customers,
        recency=[parse_datetime(value) for value in stored.recency],
        frequency=[int(value) for value in stored.frequency],
        monetary={currency: [Decimal(value) for value in values]
                  for currency, values in stored.monetary.items()},
    )
