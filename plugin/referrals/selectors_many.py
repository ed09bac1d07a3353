"""Batched reads for backtests: the customer and referral facts of many stored orders, each as
at that order's payment, from a few queries in all instead of a few per order. They give exactly
what `customer_facts` and `referral_facts` give order by order."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder, Referral
from plugin.referrals.selectors import LIVE_STATUSES, customer_facts_from_history
from rules.facts import CustomerFacts, ReferralFacts, ReferrerFacts

# (key, Saleor user id or None, e-mail, history strictly before, currency or None,
#  the event's channel slug or None)
Target = tuple[Hashable, str | None, str, datetime, str | None, str | None]
# what a history row holds: what `customer_facts_from_history` reads first, then the keys
HISTORY_FIELDS = ("paid_at", "total", "currency", "channel", "pk", "email", "customer_id")
# e-mails (or referrer e-mails) to look for: the values, or a subquery that gives them
Wanted = Iterable[str] | QuerySet


class _History:
    """One customer's rows in payment order, with their payment times beside them to bisect."""

    __slots__ = ("rows", "times")

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.times: list[datetime] = []

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        self.times.append(row[0])

    def before(self, moment: datetime) -> list[tuple]:
        """The rows strictly before `moment`."""
        return self.rows[: bisect.bisect_left(self.times, moment)]


class Histories:
    """The paid orders of many customers, by e-mail and by Saleor user id, from ONE ordered
    query; `customer_facts` of any of them as at any moment is then a slice in memory.

    `wanted` picks the customers' orders by e-mail and user id (values or subqueries): it must
    match every order of each (normalised) e-mail and user id asked about later. Orders read
    elsewhere can be added in payment order after those (`add`), e.g. while streaming them.
    """

    def __init__(self, *, installation: Any, wanted: Q | None) -> None:
        self._by_email: dict[str, _History] = defaultdict(_History)
        self._by_customer: dict[str, _History] = defaultdict(_History)
        if wanted is None:
            return
        # rows lead with what `customer_facts_from_history` reads, so slices go to it as they are
        rows = (
            CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
            .exclude(status=CustomerOrder.Status.CANCELLED)  # what `paid_orders` counts
            .filter(wanted)
            .order_by("paid_at", "pk")
            .values_list(*HISTORY_FIELDS)
        )
        for row in rows:
            self.add(row)

    def add(self, row: tuple) -> None:
        """One more paid order, as a HISTORY_FIELDS row, paid after every one added before."""
        if row[5]:
            self._by_email[row[5]].add(row)
        if row[6]:
            self._by_customer[row[6]].add(row)

    def customer_facts(self, *, customer_id: str | None, email: str, before: datetime,
                       currency: str | None, channel: str | None) -> CustomerFacts:
        """What `customer_facts` gives for this customer with the same arguments."""
        normalised = email_normalise(email) if email else ""
        by_email = self._by_email.get(normalised) if normalised else None
        history = by_email.before(before) if by_email else []
        if customer_id:
            by_customer = self._by_customer.get(customer_id)
            extra = by_customer.before(before) if by_customer else []
        else:
            extra = history
        if extra != history:  # usually the same rows: a user who kept one e-mail
            # an order can match by e-mail and by user id: count it once, in payment order
            history = sorted({row[4]: row for row in (*history, *extra)}.values(),
                             key=lambda row: (row[0], row[4]))
        return customer_facts_from_history(
            history, customer_id=customer_id, email=email, before=before, currency=currency,
            channel=channel,
        )


def _histories(*, installation: Any, targets: list[Target]) -> dict[Hashable, CustomerFacts]:
    """`customer_facts` for every target from ONE ordered query, sliced per target in memory."""
    histories = Histories(
        installation=installation,
        wanted=Q(email__in={email_normalise(email) for _, _, email, *_ in targets if email})
        | Q(customer_id__in={customer_id for _, customer_id, *_ in targets if customer_id}),
    )
    return {key: histories.customer_facts(customer_id=customer_id, email=email, before=before,
                                          currency=currency, channel=channel)
            for key, customer_id, email, before, currency, channel in targets}


def customer_facts_many(
    *, installation: Any, orders: Iterable[CustomerOrder]
) -> dict[int, CustomerFacts]:
    """`customer_facts` as at each paid order's payment in its own channel, by the order's pk
    (one query)."""
    targets = [(order.pk, order.customer_id or None, order.email, order.paid_at, order.currency,
                order.channel) for order in orders if order.paid_at is not None]
    return _histories(installation=installation, targets=targets)


def referrer_counts(*, installation: Any, owner_emails: Wanted) -> dict[str, dict[str, int]]:
    """Friends referred by each referrer e-mail (live referrals) and how many of them converted,
    as `referrer_facts` counts them (one query)."""
    return {
        row["referrer_email"]: row
        for row in Referral.objects.filter(
            installation=installation, status__in=LIVE_STATUSES, referrer_email__in=owner_emails,
        ).values("referrer_email").annotate(
            referees=Count("referee_email", distinct=True),
            converted=Count("referee_email", distinct=True,
                            filter=Q(status=Referral.Status.CONVERTED)),
        )
    }


def referral_facts_of(
    *, code: str, owner_email: str, owner_customer_id: str, referred_at: datetime,
    paid_at: datetime, referrer: CustomerFacts, counts: dict[str, dict[str, int]],
) -> ReferralFacts:
    """`referral_facts` of a live (not refused) referral through `code`, as at `paid_at`, from
    the referrer's history (`referrer`) and the counts of `referrer_counts`."""
    count = counts.get(owner_email) or {}
    return ReferralFacts(
        is_referred=True,
        code=code,
        days_since=max(0, (paid_at - referred_at).days),
        referrer=ReferrerFacts(
            id=owner_customer_id or None, email=owner_email,
            orders=referrer.orders, total_spent=referrer.total_spent,
            referrals=count.get("referees") or 0, paid_referrals=count.get("converted") or 0,
        ),
    )


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
    counts = referrer_counts(installation=installation,
                             owner_emails={code.owner_email for code in codes.values()})
    found = {order.pk: ReferralFacts() for order in paid}
    for order in live:
        code = codes[order.pk]
        found[order.pk] = referral_facts_of(
            code=code.code, owner_email=code.owner_email,
            owner_customer_id=code.owner_customer_id, referred_at=order.referral.created,
            paid_at=order.paid_at, referrer=referrers[order.pk], counts=counts)
    return found
