"""Batched reads for backtests: the customer and referral facts of many stored orders, each as
at that order's payment, from a few queries in all instead of a few per order. They give exactly
what `customer_facts` and `referral_facts` give order by order."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.selectors import LIVE_STATUSES, customer_facts_from_history
from rules.facts import CustomerFacts, ReferralFacts, ReferrerFacts

# (key, Saleor user id or None, e-mail, history strictly before, currency or None,
#  the event's channel slug or None)
Target = tuple[Hashable, str | None, str, datetime, str | None, str | None]


def _earlier(history: list[tuple], before: datetime) -> list[tuple]:
    """The rows of a paid_at-ordered history strictly before `before`."""
    return history[: bisect.bisect_left(history, before, key=lambda row: row[0])]


def _histories(*, installation: Any, targets: list[Target]) -> dict[Hashable, CustomerFacts]:
    """`customer_facts` for every target from ONE ordered query, sliced per target in memory."""
    emails = {email_normalise(email) for _, _, email, *_ in targets if email}
    ids = {customer_id for _, customer_id, *_ in targets if customer_id}
    # rows lead with what `customer_facts_from_history` reads, so slices go to it as they are
    rows = (
        CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
        .exclude(status=CustomerOrder.Status.CANCELLED)  # what `paid_orders` counts
        .filter(Q(email__in=emails) | Q(customer_id__in=ids))
        .order_by("paid_at", "pk")
        .values_list("paid_at", "total", "currency", "channel", "pk", "email", "customer_id")
    )
    by_email: dict[str, list[tuple]] = defaultdict(list)
    by_customer: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        if row[5] in emails:
            by_email[row[5]].append(row)
        if row[6] in ids:
            by_customer[row[6]].append(row)
    found: dict[Hashable, CustomerFacts] = {}
    for key, customer_id, email, before, currency, channel in targets:
        normalised = email_normalise(email) if email else ""
        history = _earlier(by_email.get(normalised, []), before) if normalised else []
        extra = _earlier(by_customer.get(customer_id, []), before) if customer_id else history
        if extra != history:  # usually the same rows: a user who kept one e-mail
            # an order can match by e-mail and by user id: count it once, in payment order
            history = sorted({row[4]: row for row in (*history, *extra)}.values(),
                             key=lambda row: (row[0], row[4]))
        found[key] = customer_facts_from_history(
            history, customer_id=customer_id, email=email, before=before, currency=currency,
            channel=channel,
        )
    return found


def customer_facts_many(
    *, installation: Any, orders: Iterable[CustomerOrder]
) -> dict[int, CustomerFacts]:
    """`customer_facts` as at each paid order's payment in its own channel, by the order's pk
    (one query)."""
    targets = [(order.pk, order.customer_id or None, order.email, order.paid_at, order.currency,
                order.channel) for order in orders if order.paid_at is not None]
    return _histories(installation=installation, targets=targets)


def referral_facts_many(
    *, installation: Any, orders: Iterable[CustomerOrder]
) -> dict[int, ReferralFacts]:
    """`referral_facts` of each paid order's referral as at its payment, by the order's pk
    (two queries; pass orders with `select_related("referral__code")`)."""
    paid = [order for order in orders if order.paid_at is not None]
    live = [order for order in paid if order.referral is not None
            and order.referral.status != Referral.Status.REFUSED]
    codes = {order.pk: order.referral.code for order in live}
    referrers = _histories(installation=installation, targets=[
        (order.pk, codes[order.pk].owner_customer_id, codes[order.pk].owner_email,
         order.paid_at, None, None) for order in live])
    counts = {
        row["referrer_email"]: row
        for row in Referral.objects.filter(
            installation=installation, status__in=LIVE_STATUSES,
            referrer_email__in={code.owner_email for code in codes.values()},
        ).values("referrer_email").annotate(
            referees=Count("referee_email", distinct=True),
            converted=Count("referee_email", distinct=True,
                            filter=Q(status=Referral.Status.CONVERTED)),
        )
    }
    found = {order.pk: ReferralFacts() for order in paid}
    for order in live:
        code, history = codes[order.pk], referrers[order.pk]
        count = counts.get(code.owner_email) or {}
        found[order.pk] = ReferralFacts(
            is_referred=True,
            code=code.code,
            days_since=max(0, (order.paid_at - order.referral.created).days),
            referrer=ReferrerFacts(
                id=code.owner_customer_id or None, email=code.owner_email,
                orders=history.orders, total_spent=history.total_spent,
                referrals=count.get("referees") or 0, paid_referrals=count.get("converted") or 0,
            ),
        )
    return found
