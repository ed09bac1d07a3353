"""Where a backtest's orders come from: the orders the app recorded, or Saleor page by page.
Each yields (Facts as at that order's payment, or None for an order it cannot use, or the
order Saleor answered with an error for)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from plugin.dashboard.recent_orders import UNREADABLE, UnreadableOrder, orders_pages
from plugin.referrals import selectors as referral_selectors
from plugin.referrals import selectors_many
from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.order_lines import stored_order_facts
from plugin.saleor.mappers.orders import order_facts
from plugin.segments.selectors import (
    customer_segmented,
    customer_segments_many,
    facts_segmented,
    referral_segmented,
)
from rules.facts import CustomerFacts, Facts, ReferralFacts, Trigger
from rules.facts.money import MoneyError

SALEOR_LOOKBACK_DAYS = 365
SALEOR_PAGE_SIZE = 100

# (total known so far, facts of one order)
Progress = Iterator[tuple[int, Facts | UnreadableOrder | None]]


def _referral(installation, referral, *, at, assume_referred: bool) -> ReferralFacts:
    facts = referral_selectors.referral_facts(installation=installation, referral=referral, now=at)
    if not facts.is_referred and assume_referred:
        return ReferralFacts(is_referred=True, days_since=0)
    return facts


# what the stream reads of each stored order: no model instances, and its referral's code
_STORED_FIELDS = (
    "id", "order_id", "number", "customer_id", "email", "channel", "total", "currency",
    "created", "paid_at", "lines", "subtotal", "shipping", "referral__status",
    "referral__created", "referral__code__code", "referral__code__owner_email",
    "referral__code__owner_customer_id",
)
STREAM_CHUNK = 2000  # rows fetched at a time: memory stays flat however many orders


def _latest(paid, count: int) -> tuple[Q, Q | None, int]:
    """(a filter for the `count` latest of the `paid` orders, one for the orders before them or
    None when there are none, how many it picks): ranges from the oldest of them, so the orders
    and their customers' histories stream from plain ranges and IN subqueries, never from lists
    of thousands of values in the SQL."""
    oldest = paid.order_by("-paid_at", "-id").values_list("paid_at", "id")[count - 1:count]
    if not oldest:
        return Q(), None, paid.count()
    paid_at, pk = oldest[0]
    return (Q(paid_at__gt=paid_at) | Q(paid_at=paid_at, id__gte=pk),
            Q(paid_at__lt=paid_at) | Q(paid_at=paid_at, id__lt=pk), count)


def stored_rows(*, installation, count: int) -> tuple[int, selectors_many.Histories,
                                                     dict[str, dict[str, int]], Iterator[Any]]:
    """The reads behind `stored_orders`: (how many orders, the histories of their customers and
    referrers before the first of them, the referrers' counts, the orders' rows oldest first,
    fetched chunk by chunk). The stream adds each order to the histories as it passes, so the
    orders are read once, not once more as history."""
    paid = (CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
            .exclude(status=CustomerOrder.Status.CANCELLED))
    picked, earlier, total = _latest(paid, count)
    chosen = paid.filter(picked)
    # the referrers are few (one per code): read them first, so no query needs them as a subquery
    # (PostgreSQL can run one per row when its statistics are missing, e.g. after an import)
    owners = set(chosen.filter(referral__isnull=False).order_by().values_list(
        "referral__code__owner_email", "referral__code__owner_customer_id").distinct())
    histories = selectors_many.Histories(installation=installation, wanted=None if (
        earlier is None) else earlier & (
        Q(email__in=chosen.exclude(email="").values("email"))
        | Q(customer_id__in=chosen.exclude(customer_id="").values("customer_id"))
        | Q(email__in={email for email, _ in owners})
        | Q(customer_id__in={owner_id for _, owner_id in owners if owner_id})
    ))
    counts = selectors_many.referrer_counts(installation=installation,
                                            owner_emails={email for email, _ in owners})
    rows = (chosen.order_by("paid_at", "id").values_list(*_STORED_FIELDS, named=True)
            .iterator(chunk_size=STREAM_CHUNK))
    # orders paid after the count was taken come last in the stream: left out
    return total, histories, counts, itertools.islice(rows, total)


def stored_orders(*, installation, count: int, assume_referred: bool) -> Progress:
    """The last `count` paid orders the app recorded from webhooks, oldest first, with their
    lines; customer and referrer histories come from a few queries in all (`selectors_many`).
    The orders stream in chunks as plain rows, each made into facts only when its turn comes."""
    total, histories, counts, rows = stored_rows(installation=installation, count=count)
    for chunk in _chunks(rows, STREAM_CHUNK):
        # segments as the shop has them now, for the chunk's customers and referrers at once
        segments = customer_segments_many(installation=installation, emails={
            email for row in chunk for email in (row.email, row.referral__code__owner_email)
            if email})
        for row in chunk:
            try:
                order = stored_order_facts(row)
            except MoneyError:
                facts = None
            else:
                customer = histories.customer_facts(
                    customer_id=row.customer_id or None, email=row.email,
                    before=row.paid_at, currency=row.currency, channel=row.channel)
                referral = _stored_referral(row, histories, counts,
                                            assume_referred=assume_referred)
                facts = Facts(
                    trigger=Trigger.ORDER_PAID, now=row.paid_at, channel=order.channel,
                    currency=row.currency, order=order,
                    customer=customer_segmented(customer, segments),
                    referral=referral_segmented(referral, segments))
            # a later order's history: every paid order counts, readable lines or not
            histories.add((row.paid_at, row.total, row.currency, row.channel, row.id,
                           row.email, row.customer_id))
            yield total, facts


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _stored_referral(row, histories, counts, *, assume_referred: bool) -> ReferralFacts:
    """`referral_facts` of a streamed order's referral, as at its payment."""
    if row.referral__status is None or row.referral__status == Referral.Status.REFUSED:
        return ReferralFacts(is_referred=True, days_since=0) if assume_referred else ReferralFacts()
    owner_email, owner_id = row.referral__code__owner_email, row.referral__code__owner_customer_id
    referrer = histories.customer_facts(customer_id=owner_id, email=owner_email,
                                        before=row.paid_at, currency=None, channel=None)
    return selectors_many.referral_facts_of(
        code=row.referral__code__code, owner_email=owner_email, owner_customer_id=owner_id,
        referred_at=row.referral__created, paid_at=row.paid_at, referrer=referrer, counts=counts)


def saleor_orders(*, installation, count: int, assume_referred: bool) -> Progress:
    """Orders of the last year fetched from Saleor a page at a time; stops after `count`."""
    since = timezone.now() - timedelta(days=SALEOR_LOOKBACK_DAYS)
    seen = 0
    for page in orders_pages(installation=installation, since=since,
                             page_size=SALEOR_PAGE_SIZE, max_pages=10_000):
        total = min(count, page.total_count or count)
        for unreadable in page.unreadable:
            if seen >= count:
                return
            seen += 1
            yield total, unreadable
        # the page's customers at once; a referrer not among them once, when first met
        asked = {email_normalise(payload.get("userEmail") or "") for payload in page.orders}
        segments = customer_segments_many(installation=installation, emails=asked)
        for payload in page.orders:
            if seen >= count:
                return
            seen += 1
            try:
                order = order_facts(payload)
            except UNREADABLE:
                yield total, None
                continue
            at = order.created or timezone.now()
            email = payload.get("userEmail") or ""
            referral = referral_selectors.referral_for_order(installation=installation,
                                                             order_payload=payload)
            facts = Facts(
                trigger=Trigger.ORDER_PAID, now=at, channel=order.channel,
                currency=order.currency, order=order,
                customer=CustomerFacts(email=email),
                referral=_referral(installation, referral, at=at,
                                   assume_referred=assume_referred),
            )
            referrer_email = email_normalise(facts.referral.referrer.email or "")
            if referrer_email not in asked:
                asked.add(referrer_email)
                segments.update(customer_segments_many(installation=installation,
                                                       emails=[referrer_email]))
            yield total, facts_segmented(facts, segments)
        if seen >= count:
            return
