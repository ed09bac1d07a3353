"""`customer.segment` and `referrer.segment` in the app: the segments the shop computed from its
own order history reach the program when Bob (referred by Alice) pays order #21, through the
captured deliveries, and reach the sandbox's recent orders and the backtest the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.services import customer_order_record
from plugin.rewards.models import Reward
from plugin.segments.selectors import customer_segment_get, facts_with_segments
from plugin.segments.tasks import segments_recompute_all
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.rewards import order_event_process
from rules.facts import CustomerFacts, Facts, ReferralFacts, ReferrerFacts, Trigger

pytestmark = pytest.mark.django_db

BY_SEGMENT = """program "By segment" currency USD

rule "asleep referrers get money" on order paid when referred and referrer.segment == "asleep":
    give referrer 5 USD

rule "champions get points" on order paid when referred and referrer.segment == "champions":
    give referrer 500 points

rule "a first-time friend" on order paid when customer.segment == "":
    give customer 50 points
"""


def _alice_bought_once(installation, captured):
    """Alice's one paid order, a month before order #21 (its payload, moved to her)."""
    payload = captured("ORDER_FULLY_PAID", 1)
    order = payload["order"]
    order["id"], order["number"], order["userEmail"], order["user"] = (
        "T3JkZXI6YWxpY2U=", "7", "alice.referrer@example.com", None)
    for kind in ("shippingAddress", "billingAddress"):  # Alice lives elsewhere than Bob
        order[kind] = {**order[kind], "firstName": "Alice", "streetAddress1": "1 Main St",
                       "postalCode": "10001", "city": "NEW YORK", "countryArea": "NY"}
    customer_order_record(installation=installation, order_payload=payload, status="paid",
                          at=_created(payload) - timedelta(days=30))


def _created(payload) -> datetime:
    return datetime.fromisoformat(payload["order"]["created"])


def test_the_paid_order_is_decided_with_the_segments_the_shop_computed(installation, captured):
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 1))
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 2))
    _alice_bought_once(installation, captured)
    # a lone customer ties with every cut point of the shop: every score 1, so asleep
    segments_recompute_all(now=_created(captured("ORDER_FULLY_PAID", 1)))
    assert customer_segment_get(installation=installation,
                                email="Alice.Referrer@example.com") == "asleep"
    program = program_get_or_create(installation=installation)
    program_save_draft(program=program, actor=SystemActor(), source=BY_SEGMENT)
    program_publish(program=program, actor=SystemActor())

    order_event_process(installation=installation, event="ORDER_FULLY_PAID",
                        payload=captured("ORDER_FULLY_PAID", 1))

    given = sorted((r.rule_label, r.recipient_email, r.amount, r.points)
                   for r in Reward.objects.filter(installation=installation))
    assert [(label, email) for label, email, *_ in given] == [
        ("a first-time friend", "bob.friend@example.com"),
        ("asleep referrers get money", "alice.referrer@example.com"),
    ]


def test_one_query_fills_both_segments_and_strangers_have_none(installation, captured):
    _alice_bought_once(installation, captured)
    segments_recompute_all(now=_created(captured("ORDER_FULLY_PAID", 1)))
    facts = Facts(trigger=Trigger.ORDER_PAID, now=_created(captured("ORDER_FULLY_PAID", 1)),
                  channel="default-channel", currency="USD",
                  customer=CustomerFacts(email="nobody@example.com"),
                  referral=ReferralFacts(is_referred=True, referrer=ReferrerFacts(
                      email="ALICE.referrer@example.com")))
    with CaptureQueriesContext(connection) as queries:
        filled = facts_with_segments(installation=installation, facts=facts)
    assert len(queries) == 1
    assert (filled.customer.segment, filled.referral.referrer.segment) == ("", "asleep")
    assert filled.customer.email == "nobody@example.com"
