"""Reads of segments: one customer's segment (and a program's facts with the segments filled
in), the counts per segment, and the advocates ranked by advocate score."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, QuerySet

from plugin.referrals.identity import email_normalise
from plugin.segments.models import CustomerSegment
from plugin.segments.rules import SEGMENTS
from rules.facts import NO_SEGMENT, CustomerFacts, Facts, ReferralFacts

# Whom to invite first; ties: more converted friends, more friends asked, latest order, e-mail.
ADVOCATE_ORDER = ("-advocate_score", "-converted", "-referrals", "-last_order_at", "email")


def customer_segment_detail(*, installation: Any, email: str) -> CustomerSegment | None:
    if not email:
        return None
    return CustomerSegment.objects.filter(installation=installation,
                                          email=email_normalise(email)).first()


def customer_segment_get(*, installation: Any, email: str) -> str:
    """The customer's segment name (one of `SEGMENTS`), or NO_SEGMENT when they have none."""
    if not email:
        return NO_SEGMENT
    found = (CustomerSegment.objects.filter(installation=installation,
                                            email=email_normalise(email))
             .values_list("segment", flat=True).first())
    return found or NO_SEGMENT


def customer_segments_many(*, installation: Any, emails: Iterable[str]) -> dict[str, str]:
    """Segment by normalised e-mail for many customers in one query (backtests, batches);
    customers without a segment are absent from the answer."""
    wanted = {email_normalise(email) for email in emails} - {""}
    return dict(CustomerSegment.objects.filter(installation=installation, email__in=wanted)
                .values_list("email", "segment")) if wanted else {}


def segment_counts(*, installation: Any) -> dict[str, int]:
    """Customers per segment, every segment named (zero when empty), in rule order."""
    found = dict(CustomerSegment.objects.filter(installation=installation)
                 .values_list("segment").annotate(n=Count("pk")).order_by())
    return {name: found.get(name, 0) for name in SEGMENTS}


def advocates_ranked(*, installation: Any, segment: str | None = None) -> QuerySet:
    """Customers to invite first, best advocate score first (`segment` narrows the list)."""
    rows = CustomerSegment.objects.filter(installation=installation)
    if segment:
        rows = rows.filter(segment=segment)
    return rows.order_by(*ADVOCATE_ORDER)


def customer_segmented(customer: CustomerFacts, segments: Mapping[str, str]) -> CustomerFacts:
    """`customer` with their segment looked up in `segments` (segment by normalised e-mail, as
    `customer_segments_many` answers); pure, for batches. Unchanged when it is the same."""
    segment = segments.get(email_normalise(customer.email), NO_SEGMENT) if (
        customer.email) else NO_SEGMENT
    return customer if segment == customer.segment else dataclasses.replace(
        customer, segment=segment)


def referral_segmented(referral: ReferralFacts, segments: Mapping[str, str]) -> ReferralFacts:
    """`referral` with its referrer's segment looked up in `segments` (see above)."""
    referrer = referral.referrer
    if not referrer.email:
        return referral
    segment = segments.get(email_normalise(referrer.email), NO_SEGMENT)
    if segment == referrer.segment:
        return referral
    return dataclasses.replace(referral, referrer=dataclasses.replace(referrer, segment=segment))


def facts_segmented(facts: Facts, segments: Mapping[str, str]) -> Facts:
    """`facts` with the customer's and the referrer's segments looked up in `segments`."""
    customer = customer_segmented(facts.customer, segments) if facts.customer else None
    referral = referral_segmented(facts.referral, segments)
    if customer is facts.customer and referral is facts.referral:
        return facts
    return dataclasses.replace(facts, customer=customer, referral=referral)


def facts_with_segments(*, installation: Any, facts: Facts) -> Facts:
    """`facts` with the customer's and the referrer's segments as the shop has them now, read
    in one query: what `customer.segment` and `referrer.segment` see."""
    emails = [facts.customer.email if facts.customer else "", facts.referral.referrer.email or ""]
    return facts_segmented(facts, customer_segments_many(installation=installation, emails=emails))
