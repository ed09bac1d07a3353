"""Key rotation: an unknown `kid` refreshes the installation's JWKS, at most once a minute."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from plugin.saleor.captures import captured_delivery, captured_jwks
from plugin.saleor.testing import TestSigner
from plugin.webhooks.models import WebhookDelivery
from tests.plugin.webhooks.replay import post


def jwks_fetches(fake_saleor) -> int:
    return sum(r.url.endswith("/.well-known/jwks.json") for r in fake_saleor.requests)


def signed_by(signer: TestSigner, event: str = "ORDER_PAID", number: int = 1):
    delivery = captured_delivery(event, number)
    return delivery, {**delivery.headers, "Saleor-Signature": signer.sign_webhook(delivery.body)}


def age_jwks(installation, seconds: int) -> None:
    type(installation).objects.filter(pk=installation.pk).update(
        jwks_fetched_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_rotated_key_is_picked_up_and_the_delivery_accepted(client, captured_installation,
                                                               fake_saleor):
    rotated = TestSigner()
    fake_saleor.jwks = rotated.jwks  # Saleor now signs with a new key
    age_jwks(captured_installation, 3600)
    delivery, headers = signed_by(rotated)

    response = post(client, delivery, headers=headers)

    assert response.status_code == 200, response.content
    captured_installation.refresh_from_db()
    assert captured_installation.jwks == rotated.jwks
    assert jwks_fetches(fake_saleor) == 1
    # deliveries signed with the new key need no more fetches
    second, headers = signed_by(rotated, "ORDER_UPDATED", 1)
    assert post(client, second, headers=headers).status_code == 200
    assert jwks_fetches(fake_saleor) == 1


def test_unknown_kids_refresh_at_most_once_a_minute(client, captured_installation, fake_saleor):
    age_jwks(captured_installation, 3600)
    for number in (1, 2, 3):
        delivery, headers = signed_by(TestSigner(), "ORDER_UPDATED", number)
        assert post(client, delivery, headers=headers).status_code == 401
    assert jwks_fetches(fake_saleor) == 1

    age_jwks(captured_installation, 61)
    delivery, headers = signed_by(TestSigner(), "ORDER_UPDATED", 4)
    assert post(client, delivery, headers=headers).status_code == 401
    assert jwks_fetches(fake_saleor) == 2
    assert WebhookDelivery.objects.count() == 0


def test_an_unreachable_jwks_is_a_503_and_the_next_try_fetches_again(
    client, captured_installation, fake_saleor
):
    rotated = TestSigner()
    fake_saleor.jwks = rotated.jwks
    age_jwks(captured_installation, 3600)
    fake_saleor.fail_next(1, status=502)
    delivery, headers = signed_by(rotated)

    assert post(client, delivery, headers=headers).status_code == 503
    assert WebhookDelivery.objects.count() == 0
    captured_installation.refresh_from_db()
    assert captured_installation.jwks == captured_jwks()

    # Saleor retries: the failed fetch did not use up the minute
    assert post(client, delivery, headers=headers).status_code == 200
    assert jwks_fetches(fake_saleor) == 2
