"""Validly signed deliveries with damaged payloads: the endpoint answers 2xx or 4xx with a reason,
never a 500, and processing ends done, failed (to retry) or dead, never stuck or crashed."""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches
from hypothesis import given
from hypothesis import strategies as st

from plugin.install.manifest import webhook_families
from plugin.saleor.captures import captured_delivery, captured_events
from plugin.saleor.testing import TestSigner
from plugin.webhooks.installations import active_installations_forget
from plugin.webhooks.models import WebhookDelivery
from plugin.webhooks.services import delivery_process
from tests.plugin.hostile_json import RAW_BODIES, bounded, mutated
from tests.plugin.webhooks.replay import post

SUBSCRIBED = set().union(*webhook_families().values())
# APP_DELETED would uninstall the shop and leave the later examples nothing to reach.
EVENTS = [event for event in captured_events() if event in SUBSCRIBED - {"APP_DELETED"}]
DELIVERIES = {event: captured_delivery(event, 1) for event in EVENTS}
PAYLOADS = {event: json.loads(delivery.body) for event, delivery in DELIVERIES.items()}


@pytest.fixture
def signer(captured_installation) -> TestSigner:
    signer = TestSigner()
    captured_installation.jwks = signer.jwks
    captured_installation.save(update_fields=["jwks"])
    return signer


@st.composite
def signed_bodies(draw):
    event = draw(st.sampled_from(EVENTS))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return event, draw(st.sampled_from(RAW_BODIES))
    return event, json.dumps(draw(mutated(PAYLOADS[event], times=4))).encode()


@bounded(60)
@given(case=signed_bodies())
def test_no_signed_delivery_answers_a_500_or_crashes_processing(client, signer, fake_saleor,
                                                                 case):
    active_installations_forget()
    caches["default"].clear()
    event, body = case
    delivery = DELIVERIES[event]
    headers = {**delivery.headers, "Saleor-Signature": signer.sign_webhook(body)}

    response = post(client, delivery, body=body, headers=headers)

    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response.json()["error"]
        return
    stored = WebhookDelivery.objects.get(pk=response.json()["delivery"])
    processed = delivery_process(delivery_id=stored.pk, event=event)
    stored.refresh_from_db()
    assert stored.status in ("done", "failed", "dead", "processing") or processed.status is None
    assert stored.status != "processing"
