"""Every captured Saleor delivery, replayed with its real headers and bytes against the real view.

Accepted when intact; refused with a 4xx and nothing stored when anything about it is off.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from plugin.install.manifest import declared_events, webhook_families
from plugin.saleor.captures import CapturedDelivery, captured_deliveries, variant_deliveries
from plugin.saleor.testing import TestSigner
from plugin.webhooks.models import WebhookDelivery
from plugin.webhooks.registry import handlers_for
from tests.plugin.webhooks.replay import family_of, post

DECLARED = [d for d in captured_deliveries() if d.event in declared_events()]
UNDECLARED = [d for d in captured_deliveries() if d.event not in declared_events()]


def label(delivery: CapturedDelivery) -> str:
    return f"{delivery.event}-{delivery.number}"


def test_the_captures_cover_every_declared_family():
    assert {family_of(d.event) for d in DECLARED} == set(webhook_families())


@pytest.mark.parametrize("delivery", DECLARED, ids=label)
def test_each_captured_delivery_is_accepted_and_stored(client, captured_installation, delivery):
    response = post(client, delivery)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    stored = WebhookDelivery.objects.get()
    assert stored.installation == captured_installation
    assert stored.event == delivery.event
    assert stored.payload == delivery.payload
    # waiting for its handlers, or complete at once when nothing handles that event
    assert stored.status == ("received" if handlers_for(delivery.event) else "done")


@pytest.mark.parametrize("delivery", DECLARED[::4], ids=label)
def test_a_replay_is_acknowledged_and_stored_once(client, captured_installation, delivery):
    first, second = post(client, delivery), post(client, delivery)

    assert first.status_code == second.status_code == 200
    assert second.json() == {"status": "duplicate", "delivery": first.json()["delivery"]}
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().duplicates == 1


def refused(response, status: int, reason: str) -> None:
    assert response.status_code == status, response.content
    assert reason in response.json()["error"]
    assert WebhookDelivery.objects.count() == 0


@pytest.mark.parametrize("position", [0, 1, 100, -2, -1])
@pytest.mark.parametrize("delivery", DECLARED[::7], ids=label)
def test_any_changed_byte_is_refused(client, captured_installation, delivery, position):
    body = bytearray(delivery.body)
    body[position] ^= 0x01
    refused(post(client, delivery, body=bytes(body)), 401, "signature")


@pytest.mark.parametrize(
    ("header", "status", "reason"),
    [
        ("Saleor-Signature", 401, "missing Saleor-Signature"),
        ("Saleor-Api-Url", 400, "missing Saleor-Api-Url"),
        ("Saleor-Event", 400, "missing Saleor-Event"),
    ],
)
def test_a_dropped_header_is_refused(client, captured_installation, header, status, reason):
    delivery = DECLARED[0]
    headers = {k: v for k, v in delivery.headers.items() if k != header}
    refused(post(client, delivery, headers=headers), status, reason)


def test_the_deprecated_x_headers_alone_are_not_enough(client, captured_installation):
    delivery = DECLARED[0]
    headers = {k: v for k, v in delivery.headers.items() if not k.startswith("Saleor-")}
    refused(post(client, delivery, headers=headers), 400, "missing Saleor-Api-Url")


def test_another_kid_is_refused_after_one_jwks_refresh(client, captured_installation, fake_saleor):
    delivery = DECLARED[0]
    other = TestSigner()
    headers = {**delivery.headers, "Saleor-Signature": other.sign_webhook(delivery.body)}

    refused(post(client, delivery, headers=headers), 401, "no key with kid")
    jwks_fetches = [r for r in fake_saleor.requests if r.url.endswith("/.well-known/jwks.json")]
    assert len(jwks_fetches) == 1


def test_a_valid_signature_from_the_right_key_but_another_body_is_refused(
    client, captured_installation
):
    one, two = DECLARED[0], DECLARED[1]
    headers = {**one.headers, "Saleor-Signature": two.headers["Saleor-Signature"]}
    refused(post(client, one, headers=headers), 401, "signature")


def test_another_saleor_url_is_refused(client, captured_installation):
    delivery = DECLARED[0]
    headers = {**delivery.headers, "Saleor-Api-Url": "https://other.example.com/graphql/"}
    refused(post(client, delivery, headers=headers), 403, "no active installation")


def test_an_inactive_installation_is_refused(client, captured_installation):
    captured_installation.is_active = False
    captured_installation.save()
    refused(post(client, DECLARED[0]), 403, "no active installation")


@pytest.mark.parametrize("delivery", DECLARED[::5], ids=label)
def test_the_wrong_route_is_refused(client, captured_installation, delivery):
    wrong = next(f for f in webhook_families() if f != family_of(delivery.event))
    refused(post(client, delivery, family=wrong), 400, "does not belong on")


def test_a_genuine_body_resent_under_another_event_is_refused(client, captured_installation):
    # Saleor-Event is not signed: an ORDER_CREATED body must not pass as ORDER_FULLY_PAID.
    delivery = next(d for d in DECLARED if d.event == "ORDER_CREATED")
    headers = {**delivery.headers, "Saleor-Event": "order_fully_paid"}
    refused(post(client, delivery, headers=headers), 400, "is OrderCreated, not ORDER_FULLY_PAID")


@pytest.mark.parametrize("delivery", UNDECLARED[::3], ids=label)
def test_events_the_app_did_not_subscribe_to_are_refused(client, captured_installation, delivery):
    refused(post(client, delivery, family="orders"), 400, "does not belong on")


def test_an_unknown_route_is_404(client, captured_installation):
    assert post(client, DECLARED[0], family="vouchers").status_code == 404
    assert WebhookDelivery.objects.count() == 0


def test_only_post_is_accepted(client, captured_installation):
    assert client.get("/api/webhooks/orders").status_code == 405


@override_settings(WEBHOOK_MAX_BODY_BYTES=1000)
def test_a_body_over_the_limit_is_refused(client, captured_installation):
    delivery = next(d for d in DECLARED if len(d.body) > 1000)
    refused(post(client, delivery), 413, "too large")


def test_legacy_hmac_signatures_are_refused_by_default(client, captured_installation):
    (delivery, *_rest) = variant_deliveries("CHECKOUT_CREATED_legacy_secretKey")
    refused(post(client, delivery), 401, "legacy HMAC")


@override_settings(WEBHOOK_ALLOW_LEGACY_HMAC=True, WEBHOOK_LEGACY_HMAC_SECRET="local-hmac-secret")
def test_legacy_hmac_signatures_pass_only_when_enabled_with_the_secret(
    client, captured_installation
):
    (delivery, *_rest) = variant_deliveries("CHECKOUT_CREATED_legacy_secretKey")
    assert post(client, delivery).status_code == 200
    with override_settings(WEBHOOK_LEGACY_HMAC_SECRET="wrong-secret"):
        tampered = variant_deliveries("CHECKOUT_CREATED_legacy_secretKey")[1]
        assert post(client, tampered).status_code == 401
    assert WebhookDelivery.objects.count() == 1


def test_a_signed_body_that_is_not_json_is_refused(client, captured_installation):
    signer = TestSigner()
    captured_installation.jwks = signer.jwks
    captured_installation.save()
    delivery = DECLARED[0]
    body = b"{not json"
    headers = {**delivery.headers, "Saleor-Signature": signer.sign_webhook(body)}
    refused(post(client, delivery, body=body, headers=headers), 400, "not JSON")
