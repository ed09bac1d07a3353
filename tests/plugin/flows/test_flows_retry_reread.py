"""A retried order delivery acts on the order as Saleor has it now, not on the stale payload.

Bob's captured ORDER_PAID fails on its first attempt (the database goes away half-way); by the
retry, the order has been refunded in Saleor. The retry reads the order again (one query) and
rewards nobody; had the order stayed paid, the same retry would reward Alice.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError
from flows_testing import deliveries_until

from plugin.rewards.models import Reward
from plugin.saleor.captures import captured_delivery
from plugin.webhooks.handlers import segments as segments_handler
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
from plugin.webhooks.services import delivery_process
from tests.plugin.webhooks.replay import post

pytestmark = pytest.mark.django_db
ORDER_21 = captured_delivery("ORDER_PAID", 1).payload["order"]["id"]


class FailsOnce:
    """Wraps one step of the segments handler (the last one to run): once armed, the next call
    fails as a lost database connection would; the calls after it run the real step."""

    def __init__(self, step) -> None:
        self.step = step
        self.armed = False

    def __call__(self, **kwargs):
        if self.armed:
            self.armed = False
            raise OperationalError("server closed the connection unexpectedly")
        return self.step(**kwargs)


@pytest.fixture
def next_attempt_fails(monkeypatch) -> FailsOnce:
    failing = FailsOnce(segments_handler.segments_update_customers)
    monkeypatch.setattr(segments_handler, "segments_update_customers", failing)
    return failing


@pytest.mark.parametrize("event", ["ORDER_PAID", "ORDER_FULLY_PAID"])
@pytest.mark.parametrize(("saleor_has", "rewarded"), [
    (("ORDER_FULLY_REFUNDED", 1), []),               # refunded since: not paid any more
    (("ORDER_PAID", 1), [("referrer", "order paid")]),  # still paid: rewarded on the retry
])
def test_a_retry_reads_the_order_again_and_acts_on_what_saleor_has_now(
        story, alice_code, send, client, django_capture_on_commit_callbacks, fake_saleor,
        next_attempt_fails, event, saleor_has, rewarded):
    send(deliveries_until("ORDER_CREATED", 1))  # Bob's referred order 21, not yet paid
    next_attempt_fails.armed = True
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, captured_delivery(event, 1)).status_code == 200
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED  # nothing of the attempt was kept
    assert not Reward.objects.filter(order_id=ORDER_21, trigger="order paid").exists()
    assert fake_saleor.calls("order_reread") == []  # a first attempt trusts its payload

    order_now = captured_delivery(*saleor_has).payload["order"]
    fake_saleor.on("order_reread", lambda variables: {
        "order": order_now if variables["id"] == ORDER_21 else None})
    delivery_process(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DONE, 2)
    assert [call.variables for call in fake_saleor.calls("order_reread")] == [{"id": ORDER_21}]
    assert list(Reward.objects.filter(order_id=ORDER_21, trigger="order paid").values_list(
        "recipient_role", "trigger")) == rewarded
    assert delivery.payload["order"]["isPaid"] is True  # the stored delivery is as Saleor sent it


def test_a_retry_of_an_order_saleor_no_longer_has_does_nothing(
        story, alice_code, send, client, django_capture_on_commit_callbacks, fake_saleor,
        next_attempt_fails):
    send(deliveries_until("ORDER_CREATED", 1))
    next_attempt_fails.armed = True
    with django_capture_on_commit_callbacks(execute=True):
        post(client, captured_delivery("ORDER_PAID", 1))
    fake_saleor.on("order_reread", data={"order": None})
    delivery = WebhookDelivery.objects.get(event="ORDER_PAID")
    delivery_process(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DONE
    assert not Reward.objects.filter(order_id=ORDER_21, trigger="order paid").exists()
