"""Per-customer raw figures straight from the order history, streamed in chunks: paid, kept
orders (count, first and last payment, money in the currency of the latest one), then the
advocacy figures filled in by SQL (referrals brought, converted, referred revenue)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.selectors import LIVE_STATUSES
from plugin.segments.models import CustomerSegment

CHUNK = 5000
KEPT_OUT = (CustomerOrder.Status.CANCELLED, CustomerOrder.Status.REFUNDED)


def kept_paid_orders(*, installation: Any) -> QuerySet:
    """The orders segments count: paid, not cancelled or fully refunded, with an e-mail."""
    return (CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
            .exclude(status__in=KEPT_OUT).exclude(email=""))


def _grouped(*, installation: Any, emails: Iterable[str] | None) -> Iterator[tuple]:
    orders = kept_paid_orders(installation=installation)
    if emails is not None:
        orders = orders.filter(email__in=list(emails))
    rows = (orders.values("email", "currency")
            .annotate(n=Count("pk"), spent=Sum("total"), first=Min("paid_at"),
                      last=Max("paid_at"), customer=Max("customer_id"))
            .order_by("email", "currency")
            .values_list("email", "currency", "n", "spent", "first", "last", "customer"))
    return rows.iterator(chunk_size=CHUNK)


def _customer(email: str, groups: list[tuple], *, installation: Any, now: datetime
              ) -> CustomerSegment:
    # the currency of the latest payment decides which money counts; groups come ordered by
    # currency and max() keeps the first of equals, so a tie goes to the first code
    latest = max(groups, key=lambda g: g[5])
    return CustomerSegment(
        installation=installation, email=email,
        customer_id=max(g[6] or "" for g in groups),
        orders=sum(g[2] for g in groups),
        first_order_at=min(g[4] for g in groups), last_order_at=latest[5],
        currency=latest[1], monetary=Decimal(latest[3] or 0), computed_at=now,
    )


def customers_raw(*, installation: Any, now: datetime, emails: Iterable[str] | None = None
                  ) -> Iterator[CustomerSegment]:
    """Unsaved rows with the order figures, one per customer (of `emails`, or all), in chunks;
    a customer's currency groups come together because the stream is ordered by e-mail."""
    current: str | None = None
    groups: list[tuple] = []
    for row in _grouped(installation=installation, emails=emails):
        if row[0] != current and groups:
            yield _customer(current, groups, installation=installation, now=now)
            groups = []
        current = row[0]
        groups.append(row)
    if groups:
        yield _customer(current, groups, installation=installation, now=now)


def advocacy_fill(*, rows: QuerySet) -> int:
    """Sets referrals, converted and referred revenue on `rows` from the referral tables (one
    UPDATE). Each subquery filters only on the referrer (installation, e-mail) and keeps the
    other conditions inside its aggregate, so even a planner without statistics (SQLite) takes
    the referrer index and then the orders' referral index."""
    referrer = Referral.objects.filter(installation_id=OuterRef("installation_id"),
                                       referrer_email=OuterRef("email")).values("referrer_email")
    converted = Q(status=Referral.Status.CONVERTED)
    brought = (converted & Q(orders__paid_at__isnull=False, orders__currency=OuterRef("currency"))
               & ~Q(orders__status__in=KEPT_OUT) & ~Q(orders__email=""))
    money = DecimalField(max_digits=18, decimal_places=4)

    def first(aggregate: Any, output: Any = None) -> Subquery:
        return Subquery(referrer.annotate(value=aggregate).values("value")[:1], output_field=output)

    return rows.update(
        referrals=Coalesce(first(Count("referee_email", distinct=True,
                                       filter=Q(status__in=LIVE_STATUSES))), 0),
        converted=Coalesce(first(Count("referee_email", distinct=True, filter=converted)), 0),
        referred_revenue=Coalesce(first(Sum("orders__total", filter=brought), money),
                                  Decimal(0), output_field=money),
    )
