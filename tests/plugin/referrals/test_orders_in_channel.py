"""`customer.orders_in_channel`: Bob has two paid web orders; his first order in the mobile app
gets the app's first-order offer, his second does not. Payloads are the captured order #21 and
its checkout, moved to other channels (the capture shop has one channel, and the slug is all the
app reads of it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

import rules
from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import CheckoutDiscount, CustomerOrder
from plugin.referrals.selectors import customer_facts
from plugin.referrals.services import customer_order_record
from plugin.rewards.models import Reward
from plugin.use_cases.attribution import customer_referral_sync
from plugin.use_cases.checkout_discount import Outcome, checkout_discount_reconcile
from plugin.use_cases.rewards import order_event_process
from tests.plugin.referrals.doubles import discount_fake

pytestmark = pytest.mark.django_db
BOB = "VXNlcjo0Nw=="
T21 = datetime(2026, 11, 22, 18, 58, 30, 540654, tzinfo=UTC)  # order #21 created, captured

APP_WELCOME = """program "App launch" currency USD

rule "app welcome" on order paid when channel == "mobile-app" and customer.orders_in_channel == 0:
    give customer 200 points
"""
APP_DISCOUNT = rules.compile_program(
    'program "App launch" currency USD\n\n'
    'on checkout when referred and channel == "mobile-app" and customer.orders_in_channel == 0:\n'
    "    give referee 20% off order\n",
    "app.rules",
)


def _in_channel(payload: dict, key: str, slug: str, suffix: str) -> dict:
    subject = payload[key]
    subject["id"] = f"{subject['id']}-{suffix}"
    subject["channel"] = {**subject["channel"], "slug": slug}
    return payload


@pytest.fixture
def order_in(captured):
    """ORDER_FULLY_PAID of order #21 as another order of Bob's, in `slug`, created `created`."""
    made = iter(range(1, 100))

    def make(slug: str, created) -> dict:
        payload = _in_channel(captured("ORDER_FULLY_PAID", 1), "order", slug, str(next(made)))
        payload["order"]["created"] = created.isoformat()
        payload["order"]["number"] = str(100 + int(payload["order"]["id"].rsplit("-", 1)[1]))
        return payload

    return make


@pytest.fixture
def web_regular(installation, order_in):
    """Bob's two paid orders on the web, 60 and 30 days before order #21."""
    for days in (60, 30):
        payload = order_in("web", created=T21 - timedelta(days=days))
        customer_order_record(installation=installation, order_payload=payload, status="paid",
                              at=T21 - timedelta(days=days) + timedelta(minutes=5))
    return installation


def test_the_selector_counts_paid_orders_of_this_channel_only(web_regular, order_in):
    at = T21
    web = customer_facts(installation=web_regular, customer_id=BOB,
                         email="bob.friend@example.com", before=at, channel="web")
    app = customer_facts(installation=web_regular, customer_id=BOB,
                         email="bob.friend@example.com", before=at, channel="mobile-app")
    unknown = customer_facts(installation=web_regular, customer_id=BOB,
                             email="bob.friend@example.com", before=at)
    assert (web.orders, web.orders_in_channel) == (2, 2)
    assert (app.orders, app.orders_in_channel) == (2, 0)
    assert unknown.orders_in_channel == 0  # no event channel: nothing is "this channel"
    # strictly before: the second web order is not earlier than itself
    second = CustomerOrder.objects.filter(channel="web").order_by("paid_at").last()
    as_at_second = customer_facts(installation=web_regular, customer_id=BOB,
                                  email="bob.friend@example.com", before=second.paid_at,
                                  channel="web")
    assert as_at_second.orders_in_channel == 1


def test_first_app_order_earns_the_welcome_the_second_does_not(web_regular, order_in):
    program = program_get_or_create(installation=web_regular)
    program_save_draft(program=program, actor=SystemActor(), source=APP_WELCOME)
    program_publish(program=program, actor=SystemActor())
    first = order_in("mobile-app", created=T21)
    second = order_in("mobile-app", created=T21 + timedelta(days=7))

    order_event_process(installation=web_regular, event="ORDER_FULLY_PAID", payload=first)
    order_event_process(installation=web_regular, event="ORDER_FULLY_PAID", payload=second)

    welcomed = Reward.objects.filter(installation=web_regular, rule_label="app welcome")
    assert [(r.order_id, r.points, r.recipient_email) for r in welcomed] == [
        (first["order"]["id"], 200, "bob.friend@example.com")
    ]
    assert CustomerOrder.objects.filter(channel="mobile-app", paid_at__isnull=False).count() == 2


def test_app_checkout_discount_for_a_web_regular_but_not_on_a_second_app_order(
    web_regular, order_in, captured
):
    customer_referral_sync(installation=web_regular, payload=captured("CUSTOMER_CREATED", 1))
    customer_referral_sync(installation=web_regular, payload=captured("CUSTOMER_CREATED", 2))
    client = discount_fake().client(retries=0)

    def reconcile(suffix: str):
        payload = _in_channel(captured("CHECKOUT_UPDATED", 1), "checkout", "mobile-app", suffix)
        return checkout_discount_reconcile(installation=web_regular, payload=payload,
                                           client=client, program=APP_DISCOUNT)

    assert reconcile("first") is Outcome.APPLIED  # 61.99 USD, Bob's first checkout in the app
    assert CheckoutDiscount.objects.get().state == "applied"
    customer_order_record(installation=web_regular, status="paid",  # paid before "now"
                          order_payload=order_in("mobile-app", created=T21),
                          at=timezone.now() - timedelta(minutes=1))
    assert reconcile("second") is Outcome.NOTHING  # one paid app order now
    assert CheckoutDiscount.objects.count() == 1


FIRST_IN_APP = """program "App launch" currency USD

rule "first app order" on first order in channel "mobile-app":
    give customer 300 points
"""


def test_a_paid_first_order_in_a_channel_fires_its_trigger_once(web_regular, order_in):
    program = program_get_or_create(installation=web_regular)
    program_save_draft(program=program, actor=SystemActor(), source=FIRST_IN_APP)
    program_publish(program=program, actor=SystemActor())
    web = order_in("web", created=T21)  # a third web order: not a first anywhere
    first = order_in("mobile-app", created=T21 + timedelta(days=1))
    second = order_in("mobile-app", created=T21 + timedelta(days=8))
    for payload in (web, first, second):  # each paid ten minutes after it was placed
        created = datetime.fromisoformat(payload["order"]["created"])
        payload["issuedAt"] = (created + timedelta(minutes=10)).isoformat()

    for payload in (web, first, first, second):  # the first app order's delivery comes twice
        order_event_process(installation=web_regular, event="ORDER_FULLY_PAID", payload=payload)

    (reward,) = Reward.objects.filter(installation=web_regular, rule_label="first app order")
    assert (reward.order_id, reward.points, reward.trigger) == (
        first["order"]["id"], 300, "first order in channel")
    assert reward.hold_after == "fulfillment"  # like any reward for a paid order
