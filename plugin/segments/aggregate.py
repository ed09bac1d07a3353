"""Per-customer figures straight from the order history, written by SQL: paid, kept orders
(count, first and last payment, money in the currency of the latest one), then advocacy
(friends referred, converted, referred revenue)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.selectors import LIVE_STATUSES
from plugin.segments.models import CustomerSegment

KEPT_OUT = (CustomerOrder.Status.CANCELLED, CustomerOrder.Status.REFUNDED)


# One INSERT ... SELECT writes every customer's order figures: the orders grouped by e-mail and
# currency, window functions over each e-mail for the totals across currencies, and the row of
# the currency with the latest payment kept (ties: the first code). No row passes through
# Python, so 100,000 customers cost no memory here. Money is rounded to the stored 4 decimals
# (SQLite sums decimals as floating point).
_INSERT = """
INSERT INTO {segments} (installation_id, email, customer_id, orders, first_order_at,
    last_order_at, currency, monetary, recency_score, frequency_score, monetary_score, segment,
    referrals, converted, referred_revenue, advocate_score, computed_at)
SELECT installation_id, email, customer, orders, first_at, last_at, currency, spent,
    0, 0, 0, '', 0, 0, 0, 0, %s
FROM (
    SELECT installation_id, email, currency, ROUND(SUM(total), 4) AS spent,
        SUM(COUNT(*)) OVER customer AS orders,
        MIN(MIN(paid_at)) OVER customer AS first_at,
        MAX(MAX(paid_at)) OVER customer AS last_at,
        MAX(MAX(customer_id)) OVER customer AS customer,
        ROW_NUMBER() OVER (customer ORDER BY MAX(paid_at) DESC, currency) AS latest
    FROM {orders}
    WHERE installation_id = %s AND paid_at IS NOT NULL AND email <> ''
        AND status NOT IN (%s, %s) {only}
    GROUP BY installation_id, email, currency
    WINDOW customer AS (PARTITION BY email)
) grouped
WHERE latest = 1
"""


def customers_insert(*, installation: Any, now: datetime, emails: list[str] | None = None
                     ) -> int:
    """Inserts the order figures of every customer (or of `emails`) with at least one paid,
    kept order; scores and advocacy come after. The rows must not exist yet."""
    only = f"AND email IN ({', '.join(['%s'] * len(emails))})" if emails is not None else ""
    if emails is not None and not emails:
        return 0
    sql = _INSERT.format(segments=CustomerSegment._meta.db_table,
                         orders=CustomerOrder._meta.db_table, only=only)
    params = [now, installation.pk, *(status.value for status in KEPT_OUT), *(emails or [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


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
