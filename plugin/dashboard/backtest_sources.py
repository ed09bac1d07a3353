"""Where a backtest's orders come from: the orders the app recorded, or Saleor page by page.
Each yields (Facts as at that order's payment, or None for an order it cannot use, or the
order Saleor answered with an error for)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone

from plugin.dashboard.recent_orders import UNREADABLE, UnreadableOrder, orders_pages
from plugin.referrals import selectors as referral_selectors
from plugin.referrals import selectors_many
from plugin.referrals.models import CustomerOrder
from plugin.referrals.order_lines import stored_order_facts
from plugin.saleor.mappers.orders import order_facts
from rules.facts import CustomerFacts, Facts, ReferralFacts, Trigger
from rules.money import MoneyError

SALEOR_LOOKBACK_DAYS = 365
SALEOR_PAGE_SIZE = 100

# (total known so far, facts of one order)
Progress = Iterator[tuple[int, Facts | UnreadableOrder | None]]


def _referral(installation, referral, *, at, assume_referred: bool) -> ReferralFacts:
    facts = referral_selectors.referral_facts(installation=installation, referral=referral, now=at)
    if not facts.is_referred and assume_referred:
        return ReferralFacts(is_referred=True, days_since=0)
    return facts


def stored_orders(*, installation, count: int, assume_referred: bool) -> Progress:
    """The last `count` paid orders the app recorded from webhooks, oldest first, with their
    lines; customer and referrer histories come from a few queries in all (`selectors_many`)."""
    rows = list(
        CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
        .exclude(status=CustomerOrder.Status.CANCELLED)
        .select_related("referral__code")
        .order_by("-paid_at", "-id")[:count]
    )
    rows.reverse()
    total = len(rows)
    customers = selectors_many.customer_facts_many(installation=installation, orders=rows)
    referrals = selectors_many.referral_facts_many(installation=installation, orders=rows)
    for row in rows:
        try:
            order = stored_order_facts(row)
        except MoneyError:
            yield total, None
            continue
        referral = referrals[row.pk]
        if not referral.is_referred and assume_referred:
            referral = ReferralFacts(is_referred=True, days_since=0)
        yield total, Facts(trigger=Trigger.ORDER_PAID, now=row.paid_at, channel=order.channel,
                           currency=row.currency, order=order, customer=customers[row.pk],
                           referral=referral)


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
            yield total, Facts(
                trigger=Trigger.ORDER_PAID, now=at, channel=order.channel,
                currency=order.currency, order=order,
                customer=CustomerFacts(email=email),
                referral=_referral(installation, referral, at=at,
                                   assume_referred=assume_referred),
            )
        if seen >= count:
            return
