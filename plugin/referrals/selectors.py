"""Reads of the referral side: codes, referrals of checkouts and orders, customer/referral facts."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from plugin.referrals.codes import code_normalise
from plugin.referrals.identity import email_normalise
from plugin.referrals.models import (
    CheckoutDiscount,
    CustomerOrder,
    Referral,
    ReferralCode,
    ReferralSettings,
    ReferralVisit,
)
from plugin.saleor.mappers.subjects import subject_of
from rules.facts import CustomerFacts, ReferralFacts, ReferrerFacts, periods_missed
from rules.facts.money import Money, is_currency

LIVE_STATUSES = (Referral.Status.ATTRIBUTED, Referral.Status.CONVERTED, Referral.Status.REVIEW)


def referral_settings_get(*, installation: Any) -> ReferralSettings:
    """The installation's settings, or unsaved defaults when none were stored yet."""
    found = ReferralSettings.objects.filter(installation=installation).first()
    return found or ReferralSettings(installation=installation)


def referral_code_get(
    *, installation: Any, code: str, include_inactive: bool = False
) -> ReferralCode | None:
    codes = ReferralCode.objects.filter(installation=installation, code=code_normalise(code))
    if not include_inactive:
        codes = codes.filter(active=True)
    return codes.first()


def _owner_filter(customer_id: str | None, email: str | None) -> Q:
    wanted = Q(owner_email=email_normalise(email)) if email else Q(pk__in=[])
    return wanted | Q(owner_customer_id=customer_id) if customer_id else wanted


def referral_code_of_customer(
    *, installation: Any, customer_id: str | None, email: str | None
) -> ReferralCode | None:
    """The customer's active personal code (by Saleor user id or normalised e-mail)."""
    return (
        ReferralCode.objects.filter(installation=installation, active=True)
        .filter(_owner_filter(customer_id, email))
        .order_by("-created")
        .first()
    )


def referral_for_checkout(*, installation: Any, checkout_payload: dict) -> Referral | None:
    """The referral recorded for this checkout (by its global id), if any."""
    checkout = subject_of(checkout_payload)
    checkout_id = checkout.get("id")
    if not checkout_id:
        return None
    return Referral.objects.filter(installation=installation, checkout_id=checkout_id).first()


def referral_for_order(*, installation: Any, order_payload: dict) -> Referral | None:
    """The referral of this order: recorded for the order itself, else for its checkout."""
    order = subject_of(order_payload)
    referrals = Referral.objects.filter(installation=installation).select_related("code")
    if order.get("id"):
        found = referrals.filter(order_id=order["id"]).first()
        if found:
            return found
    if order.get("checkoutId"):
        return referrals.filter(checkout_id=order["checkoutId"]).first()
    return None


def referral_earlier(
    *, installation: Any, customer_id: str | None, email: str, since: datetime
) -> Referral | None:
    """The latest live attribution of this referee (e-mail or user id) made after `since`."""
    wanted = Q(referee_email=email_normalise(email))
    if customer_id:
        wanted |= Q(referee_id=customer_id)
    return (
        Referral.objects.filter(installation=installation, status__in=LIVE_STATUSES)
        .filter(wanted, created__gte=since)
        .select_related("code")
        .order_by("-created")
        .first()
    )


def referral_signup_of(
    *, installation: Any, customer_id: str | None, email: str
) -> Referral | None:
    """The code the customer gave at sign-up (stored from `signup_referral_code`)."""
    wanted = Q(referee_email=email_normalise(email))
    if customer_id:
        wanted |= Q(referee_id=customer_id)
    return (
        Referral.objects.filter(installation=installation, source=Referral.Source.SIGNUP)
        .filter(wanted, checkout_id="", order_id="")
        .select_related("code")
        .order_by("-created")
        .first()
    )


def referral_by_discount_code(*, installation: Any, code: str) -> Referral | None:
    """The referral behind one of the app's own single-use referee codes."""
    found = (
        CheckoutDiscount.objects.filter(installation=installation, code=code)
        .select_related("referral__code")
        .first()
    )
    return found.referral if found else None


def checkout_discount_get(*, installation: Any, checkout_id: str) -> CheckoutDiscount | None:
    return CheckoutDiscount.objects.filter(
        installation=installation, checkout_id=checkout_id
    ).first()


def paid_orders(*, installation: Any, customer_id: str | None, email: str | None) -> QuerySet:
    """Paid, not cancelled orders of one customer (user id or normalised e-mail)."""
    wanted = Q(email=email_normalise(email)) if email else Q(pk__in=[])
    if customer_id:
        wanted |= Q(customer_id=customer_id)
    return (
        CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False)
        .exclude(status=CustomerOrder.Status.CANCELLED)
        .filter(wanted)
    )


def customer_facts(
    *,
    installation: Any,
    customer_id: str | None,
    email: str,
    before: datetime,
    currency: str | None = None,
    channel: str | None = None,
) -> CustomerFacts:
    """The customer's history of paid orders strictly before `before`; `channel` is the event's
    channel slug, for `orders_in_channel`."""
    orders = list(
        paid_orders(installation=installation, customer_id=customer_id, email=email)
        .filter(paid_at__lt=before)
        .order_by("paid_at")
        .values_list("paid_at", "total", "currency", "channel")
    )
    return customer_facts_from_history(
        orders, customer_id=customer_id, email=email, before=before, currency=currency,
        channel=channel,
    )


# (paid_at, total, currency, channel slug, ...) of one earlier paid order; the channel (and any
# further fields) may be left out when no event channel is asked about
HistoryRow = tuple[Any, ...]


def _orders_in_channel(orders: Sequence[HistoryRow], channel: str | None) -> int:
    """Rows in `channel`; an unknown event channel (None or "") matches nothing, so stored
    orders without a channel are never counted as "this channel"."""
    if not channel:
        return 0
    return [row[3] for row in orders].count(channel)


def customer_facts_from_history(
    orders: Sequence[HistoryRow],
    *,
    customer_id: str | None,
    email: str,
    before: datetime,
    currency: str | None,
    channel: str | None = None,
) -> CustomerFacts:
    """CustomerFacts from (paid_at, total, currency, channel, ...) rows of earlier paid orders,
    oldest first; rows need the channel only when `channel` is given."""
    if not orders:
        zero = Money.zero(currency) if currency and is_currency(currency) else None
        return CustomerFacts(email=email_normalise(email), id=customer_id or None, total_spent=zero)
    money_currency = currency or orders[-1][2]
    spent = sum([row[1] for row in orders if row[2] == money_currency], Decimal(0))
    times = [row[0] for row in orders]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    interval = statistics.median(gaps) if gaps else None
    missed = periods_missed(before - times[-1], interval)
    return CustomerFacts(
        email=email_normalise(email),
        id=customer_id or None,
        is_new=False,
        orders=len(orders),
        orders_in_channel=_orders_in_channel(orders, channel),
        total_spent=Money.of(spent, money_currency) if is_currency(money_currency) else None,
        first_order=times[0].date(),
        last_order=times[-1].date(),
        usual_interval=interval,
        periods_missed=missed,
    )


def referrer_facts(*, installation: Any, code: ReferralCode, now: datetime) -> ReferrerFacts:
    history = customer_facts(
        installation=installation,
        customer_id=code.owner_customer_id,
        email=code.owner_email,
        before=now,
    )
    counts = Referral.objects.filter(
        installation=installation, referrer_email=code.owner_email, status__in=LIVE_STATUSES
    ).aggregate(
        referees=Count("referee_email", distinct=True),
        paid=Count("referee_email", distinct=True, filter=Q(status=Referral.Status.CONVERTED)),
    )
    return ReferrerFacts(
        id=code.owner_customer_id or None,
        email=code.owner_email,
        orders=history.orders,
        total_spent=history.total_spent,
        referrals=counts["referees"] or 0,
        paid_referrals=counts["paid"] or 0,
    )


def referral_facts(*, installation: Any, referral: Referral | None, now: datetime) -> ReferralFacts:
    """What a program sees of a referral; a refused one reads as "not referred"."""
    if referral is None or referral.status == Referral.Status.REFUSED:
        return ReferralFacts()
    return ReferralFacts(
        is_referred=True,
        code=referral.code.code,
        days_since=max(0, (now - referral.created).days),
        referrer=referrer_facts(installation=installation, code=referral.code, now=now),
    )


def referral_code_stats(*, code: ReferralCode) -> dict[str, int]:
    """Counts across this code and the codes it replaced: visits, sign-ups, referrals, paid."""
    owner_codes = ReferralCode.objects.filter(
        installation_id=code.installation_id, owner_email=code.owner_email
    )
    referrals = Referral.objects.filter(code__in=owner_codes)
    return {
        "visits": ReferralVisit.objects.filter(code__in=owner_codes).count(),
        "signups": referrals.filter(source=Referral.Source.SIGNUP).count(),
        "referrals": referrals.filter(status__in=LIVE_STATUSES)
        .values("referee_email")
        .distinct()
        .count(),
        "converted": referrals.filter(status=Referral.Status.CONVERTED)
        .values("referee_email")
        .distinct()
        .count(),
    }


def referrals_in_review(*, installation: Any) -> QuerySet:
    """The review queue: doubtful referrals waiting for a person, oldest first."""
    return (
        Referral.objects.filter(installation=installation, status=Referral.Status.REVIEW)
        .select_related("code")
        .order_by("created")
    )


def referral_leaderboard(*, installation: Any, limit: int = 10) -> list[tuple[str, int]]:
    """Opted-in referrers by converted referees; names only of those who opted in."""
    rows = (
        Referral.objects.filter(installation=installation, status=Referral.Status.CONVERTED)
        .exclude(code__leaderboard_name="")
        .values("code__leaderboard_name")
        .annotate(score=Count("referee_email", distinct=True))
        .order_by("-score", "code__leaderboard_name")[:limit]
    )
    return [(row["code__leaderboard_name"], row["score"]) for row in rows]
