"""Validly signed bodies that can never be processed: a 4xx with the reason, nothing stored.

Saleor retries only 5xx, so a 4xx is right for a body it will send unchanged every time.
"""

from __future__ import annotations

import pytest

from plugin.saleor.captures import captured_delivery
from plugin.saleor.testing import TestSigner
from plugin.webhooks.models import WebhookDelivery
from tests.plugin.webhooks.replay import post


@pytest.fixture
def signer(captured_installation) -> TestSigner:
    """The captured Saleor, re-keyed to a key the test holds, so it can sign any body."""
    signer = TestSigner()
    captured_installation.jwks = signer.jwks
    captured_installation.save(update_fields=["jwks"])
    return signer


def send_signed(client, signer: TestSigner, body: bytes):
    delivery = captured_delivery("ORDER_PAID", 1)
    headers = {**delivery.headers, "Saleor-Signature": signer.sign_webhook(body)}
    return post(client, delivery, body=body, headers=headers)


@pytest.mark.parametrize("depth", [100_000, 65])
def test_a_signed_body_nested_too_deep_is_refused_with_its_reason(client, signer, depth):
    body = b"[" * depth + b"]" * depth

    response = send_signed(client, signer, body)

    assert response.status_code == 400
    assert response.json()["error"] == "payload nests too deeply"
    assert WebhookDelivery.objects.count() == 0


def test_a_genuine_delivery_still_passes_the_depth_bound(client, signer):
    body = captured_delivery("ORDER_PAID", 1).body

    response = send_signed(client, signer, body)

    assert response.status_code == 200, response.content
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize("body, reason", [
    (b'{"__typename": "OrderPaid", "x": NaN}', "payload has a number out of range"),
    (b'{"__typename": "OrderPaid", "x": 1e999}', "payload has a number out of range"),
    (b'{"__typename": "OrderPaid", "x": ' + b"9" * 5000 + b"}", "payload is not JSON"),
    (b"\xff\xfe{}", "payload is not UTF-8"),
])
def test_signed_bodies_no_parser_accepts_are_refused(client, signer, body, reason):
    response = send_signed(client, signer, body)

    assert response.status_code == 400
    assert response.json()["error"].startswith(reason)
    assert WebhookDelivery.objects.count() == 0
