"""Per-customer figures straight from the order history, written by one SQL statement: paid,
kept orders (count, first and last payment, money in the currency of the latest one) and
advocacy (friends referred, friends who bought, their revenue)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.selectors import LIVE_STATUSES
from plugin.segments.models import CustomerSegment

KEPT_OUT = (CustomerOrder.Status.CANCELLED, CustomerOrder.Status.REFUNDED)


# One INSERT ... SELECT writes every customer's figures: the orders grouped by e-mail and
# currency, window functions over each e-mail for the totals across currencies, the row of the
# currency with the latest payment kept (ties: the first code), then the referrals they brought
# and the revenue of friends who bought, in that currency. No row passes through Python, so
# 100,000 customers cost no memory here. Money is rounded to the stored 4 decimals (SQLite sums
# decimals as floating point).
_INSERT = """
INSERT INTO {segments} (installation_id, email, customer_id, orders, first_order_at,
    last_order_at, currency, monetary, recency_score, frequency_score, monetary_score, segment,
    referrals, converted, referred_revenue, advocate_score, computed_at)
SELECT grouped.installation_id, grouped.email, grouped.customer, grouped.orders,
    grouped.first_at, grouped.last_at, grouped.currency, grouped.spent, 0, 0, 0, '',
    COALESCE(friends.asked, 0), COALESCE(friends.bought, 0), COALESCE(brought.revenue, 0), 0, %s
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
LEFT JOIN (
    SELECT referrer_email,
        COUNT(DISTINCT CASE WHEN status IN (%s, %s, %s) THEN referee_email END) AS asked,
        COUNT(DISTINCT CASE WHEN status = %s THEN referee_email END) AS bought
    FROM {referrals}
    WHERE installation_id = %s {only_referrer}
    GROUP BY referrer_email
) friends ON friends.referrer_email = grouped.email
LEFT JOIN (
    SELECT r.referrer_email, o.currency, ROUND(SUM(o.total), 4) AS revenue
    FROM {orders} o JOIN {referrals} r ON r.id = o.referral_id
    WHERE r.installation_id = %s AND r.status = %s AND o.paid_at IS NOT NULL AND o.email <> ''
        AND o.status NOT IN (%s, %s) {only_r}
    GROUP BY r.referrer_email, o.currency
) brought ON brought.referrer_email = grouped.email AND brought.currency = grouped.currency
WHERE grouped.latest = 1
"""


def customers_insert(*, installation: Any, now: datetime, emails: list[str] | None = None
                     ) -> int:
    """Inserts the figures of every customer (or of `emails`) with at least one paid, kept
    order; scores come after. The rows must not exist yet."""
    if emails is not None and not emails:
        return 0
    marks = ", ".join(["%s"] * len(emails or []))
    only = {"only": f"AND email IN ({marks})", "only_referrer": f"AND referrer_email IN ({marks})",
            "only_r": f"AND r.referrer_email IN ({marks})"} if emails is not None else {
        "only": "", "only_referrer": "", "only_r": ""}
    sql = _INSERT.format(segments=CustomerSegment._meta.db_table,
                         orders=CustomerOrder._meta.db_table,
                         referrals=Referral._meta.db_table, **only)
    picked = list(emails or [])
    kept_out = [status.value for status in KEPT_OUT]
    converted = Referral.Status.CONVERTED.value
    params = [now, installation.pk, *kept_out, *picked,
              *(status.value for status in LIVE_STATUSES), converted, installation.pk, *picked,
              installation.pk, converted, *kept_out, *picked]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
