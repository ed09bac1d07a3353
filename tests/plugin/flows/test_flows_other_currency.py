"""An order in another currency than the program's is skipped, with its reason, not retried.

A shop with a channel in PLN beside its USD program: the captured deliveries of Bob's order, as
Saleor would send them from a PLN channel (every currency of the real payload made PLN), are
processed once, acknowledged as done, and the skip is shown with its reason.
"""

from __future__ import annotations

import json

import pytest
from flows_testing import STORY_PROGRAM, deliveries_until

from plugin.contests.selectors import contest_standings
from plugin.contests.services import contests_sync_published
from plugin.dashboard.selectors import dashboard_overview
from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.rewards.models import Reward, SkippedOrder
from plugin.saleor.captures import captured_delivery
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
from plugin.webhooks.services import delivery_process, delivery_store
from tests.plugin.payload_currency import in_currency

pytestmark = pytest.mark.django_db
ORDER_21 = captured_delivery("ORDER_CREATED", 1).payload["order"]["id"]


def deliver_in(installation, event: str, number: int, currency: str, *,
               issued_at: str | None = None) -> WebhookDelivery:
    payload = in_currency(captured_delivery(event, number).payload, currency)
    if issued_at is not None:  # Saleor's next delivery of the same event: a new `issuedAt`
        payload = {**payload, "issuedAt": issued_at}
    stored = delivery_store(installation=installation, event=event, payload=payload,
                            body=json.dumps(payload).encode())
    delivery_process(delivery_id=stored.delivery.pk)
    return WebhookDelivery.objects.get(pk=stored.delivery.pk)


@pytest.mark.parametrize(("event", "number"), [
    ("ORDER_CREATED", 1),     # `on order created` rules
    ("ORDER_PAID", 1),        # `on order paid`, and `first order in channel`
    ("ORDER_FULLY_PAID", 1),  # the same triggers, from the fully-paid event
])
def test_an_order_in_another_currency_is_skipped_once_and_the_delivery_is_done(
        story, alice_code, send, event, number):
    send(deliveries_until("CHECKOUT_UPDATED", 6))  # Bob's checkout carries Alice's code

    first = deliver_in(story, event, number, "PLN")
    again = deliver_in(story, event, number, "PLN", issued_at="2026-11-22T19:30:00+00:00")

    for delivery in (first, again):
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            DeliveryStatus.DONE, 1, "")
    assert list(SkippedOrder.objects.filter(installation=story).values_list(
        "order_id", "number", "program", "reason")) == [
        (ORDER_21, "21", "program", "order in PLN, program in USD")]
    assert not Reward.objects.filter(installation=story, order_id=ORDER_21).exists()


def test_an_order_in_the_programs_currency_is_not_skipped(story, alice_code, send):
    send(deliveries_until("CHECKOUT_UPDATED", 6))
    delivery = deliver_in(story, "ORDER_PAID", 1, "USD")
    assert delivery.status == DeliveryStatus.DONE
    assert not SkippedOrder.objects.exists()
    assert Reward.objects.filter(installation=story, order_id=ORDER_21,
                                 trigger="order paid").count() == 1


def test_the_overview_counts_skipped_orders_by_reason(story, alice_code, send):
    send(deliveries_until("CHECKOUT_UPDATED", 6))
    deliver_in(story, "ORDER_PAID", 1, "PLN")
    deliver_in(story, "ORDER_CREATED", 3, "EUR")  # order 23, from a EUR channel

    assert dashboard_overview(installation=story)["skipped_orders"] == [
        {"reason": "order in EUR, program in USD", "orders": 1},
        {"reason": "order in PLN, program in USD", "orders": 1},
    ]


CONTEST_PROGRAM = STORY_PROGRAM + '''
contest "November top referrers" from 2026-11-01 to 2026-11-30:
    score referrals.paid.net_total
    prize 1: 100 USD gift card
'''


def test_a_usd_contest_leaves_out_an_order_in_another_currency(story, alice_code, send):
    program = program_get_or_create(installation=story)
    program_save_draft(program=program, source=CONTEST_PROGRAM, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())
    (contest,) = contests_sync_published(installation=story)
    send(deliveries_until("CHECKOUT_UPDATED", 6))

    for event in ("ORDER_CREATED", "ORDER_PAID"):
        assert deliver_in(story, event, 1, "PLN").status == DeliveryStatus.DONE

    # Alice's friend paid in PLN: money scores stay in the contest's currency, so no score.
    assert [(s.referrer_email, s.score) for s in contest_standings(
        installation=story, contest=contest, limit=10)] == []
    assert SkippedOrder.objects.get().reason == "order in PLN, program in USD"
