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
# and the revenue of friends who bought, in that currency. Advocacy is read by subqueries on the
# referrer (installation, e-mail) alone, other conditions inside the aggregates, so every
# planner answers them from the referrer index, even without statistics (a join on grouped
# referrals, or a status condition in WHERE, made SQLite scan referrals for each customer).
# No row passes through Python, so 100,000 customers cost no memory here. Money is rounded to
# the stored 4 decimals (SQLite sums decimals as floating point).
_INSERT = """
INSERT INTO {segments} (installation_id, email, customer_id, orders, first_order_at,
    last_order_at, currency, monetary, recency_score, frequency_score, monetary_score, segment,
    referrals, converted, referred_revenue, advocate_score, computed_at)
SELECT g.installation_id, g.email, g.customer, g.orders, g.first_at, g.last_at, g.currency,
    g.spent, 0, 0, 0, '',
    (SELECT COUNT(DISTINCT CASE WHEN r.status IN (%s, %s, %s) THEN r.referee_email END)
     FROM {referrals} r WHERE r.installation_id = g.installation_id
        AND r.referrer_email = g.email),
    (SELECT COUNT(DISTINCT CASE WHEN r.status = %s THEN r.referee_email END)
     FROM {referrals} r WHERE r.installation_id = g.installation_id
        AND r.referrer_email = g.email),
    COALESCE((SELECT ROUND(SUM(CASE WHEN r.status = %s AND o.currency = g.currency
            AND o.paid_at IS NOT NULL AND o.email <> '' AND o.status NOT IN (%s, %s)
            THEN o.total END), 4)
     FROM {referrals} r JOIN {orders} o ON o.referral_id = r.id
     WHERE r.installation_id = g.installation_id AND r.referrer_email = g.email), 0),
    0, %s
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
) g
WHERE g.latest = 1
"""


def customers_insert(*, installation: Any, now: datetime, emails: list[str] | None = None
                     ) -> int:
    """Inserts the figures of every customer (or of `emails`) with at least one paid, kept
    order; scores come after. The rows must not exist yet."""
    if emails is not None and not emails:
        return 0
    only = f"AND email IN ({', '.join(['%s'] * len(emails))})" if emails is not None else ""
    sql = _INSERT.format(segments=CustomerSegment._meta.db_table,
                         orders=CustomerOrder._meta.db_table,
                         referrals=Referral._meta.db_table, only=only)
    kept_out = [status.value for status in KEPT_OUT]
    converted = Referral.Status.CONVERTED.value
    params = [*(status.value for status in LIVE_STATUSES), converted, converted, *kept_out, now,
              installation.pk, *kept_out, *(emails or [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
