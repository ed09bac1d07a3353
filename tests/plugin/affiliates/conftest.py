"""Fixtures of the partner tests: the captured Saleor's installation, a partner with a code,
and captured order deliveries that carry that code, signed again and sent through the real
webhook endpoint at the moment Saleor sent them."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from affiliates_testing import T0

from plugin.affiliates.models import Partner
from plugin.affiliates.services import partner_create
from plugin.saleor.captures import captured_delivery
from plugin.saleor.testing import TestSigner
from plugin.webhooks.models import WebhookDelivery
from plugin.webhooks.services import delivery_process
from tests.plugin.webhooks.replay import post


@pytest.fixture(scope="session")
def saleor_signer() -> TestSigner:
    return TestSigner()


@pytest.fixture
def shop(captured_installation, saleor_signer):
    """The captured Saleor, whose deliveries the tests sign again after putting a code in."""
    captured_installation.jwks = saleor_signer.jwks
    captured_installation.save()
    return captured_installation


@pytest.fixture
def partner(shop) -> Partner:
    return partner_create(installation=shop, name="Nora Blogs", email="Nora@Blog.example",
                          now=T0)


def with_code(payload: dict, code: str, *, where: str = "metadata") -> dict:
    """The captured payload with the partner's code where a storefront or shopper puts it."""
    order = payload["order"]
    if where == "voucher":
        order["voucherCode"] = code
    else:
        order["metadata"] = [{"key": "referral_code", "value": code}]
    return payload


@pytest.fixture
def deliver(client, shop, saleor_signer, time_machine):
    """Send captured delivery `event` #`number` with `code` in it at Saleor's moment (or `at`)
    through the real endpoint, then process it; returns the payload sent."""

    def send(event: str, number: int = 1, *, code: str | None, where: str = "metadata",
             at: datetime | None = None) -> dict:
        found = captured_delivery(event, number)
        payload = found.payload if code is None else with_code(
            json.loads(found.body), code, where=where)
        body = json.dumps(payload).encode()
        headers = {**found.headers, "Saleor-Signature": saleor_signer.sign_webhook(body)}
        time_machine.move_to(at or datetime.fromisoformat(found.received_at), tick=False)
        response = post(client, found, body=body, headers=headers)
        assert response.status_code == 200, response.content
        stored = WebhookDelivery.objects.filter(event=event).latest("pk")
        if stored.status != "done":  # run at once when the test's transactions really commit
            delivery_process(delivery_id=stored.pk)
            stored.refresh_from_db()
        assert stored.status == "done", stored.last_error
        return payload

    return send
