"""The demo installation: idempotent seed, a key kept on disk, real signature checks."""

from __future__ import annotations

import stat

import pytest
from django.core.management import call_command

from plugin.install.demo import DEMO_APP_ID, demo_key_path, demo_saleor_transport, demo_signer
from plugin.install.http import use_saleor_transport
from plugin.install.models import Installation
from plugin.install.services import installation_client, installation_jwks
from plugin.saleor.captures import captured_delivery
from plugin.webhooks.models import WebhookDelivery

DEMO_URL = "http://demo.saleor.localhost/graphql/"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_seed_demo_is_idempotent(db, capsys):
    call_command("seed_demo")
    first = Installation.objects.get()
    call_command("seed_demo")

    assert Installation.objects.count() == 1
    again = Installation.objects.get()
    assert again.saleor_api_url == DEMO_URL and again.app_id == DEMO_APP_ID
    assert again.jwks == first.jwks == demo_signer().jwks
    assert again.is_active and again.auth_token
    assert "already there" in capsys.readouterr().out


def test_the_demo_key_is_private_and_kept(db):
    kid = demo_signer().kid
    assert demo_signer().kid == kid
    assert stat.S_IMODE(demo_key_path().stat().st_mode) == 0o600


def test_a_signed_demo_delivery_goes_through_the_real_verification(client, db):
    call_command("seed_demo")
    body = captured_delivery("ORDER_PAID").body
    headers = {
        "HTTP_SALEOR_EVENT": "order_paid",
        "HTTP_SALEOR_API_URL": DEMO_URL,
        "HTTP_SALEOR_SIGNATURE": demo_signer().sign_webhook(body),
    }
    response = client.post("/api/webhooks/orders", data=body, content_type="application/json",
                           **headers)
    assert response.status_code == 200, response.content
    assert WebhookDelivery.objects.get().installation.saleor_api_url == DEMO_URL

    tampered = body.replace(b"USD", b"EUR", 1)
    response = client.post("/api/webhooks/orders", data=tampered,
                           content_type="application/json", **headers)
    assert response.status_code == 401


def test_a_deactivated_demo_is_reactivated_by_seeding(db):
    call_command("seed_demo")
    Installation.objects.update(is_active=False, auth_token_encrypted="")
    call_command("seed_demo")
    assert Installation.objects.get().is_active


def test_the_demo_saleor_answers_the_demo_installation_in_process(db):
    call_command("seed_demo")
    installation = Installation.objects.get()
    with use_saleor_transport(demo_saleor_transport(), sleep=lambda _seconds: None):
        with installation_client(installation=installation) as client:
            assert client.execute("app_whoami", {})["app"]["id"]
        assert installation_jwks(installation=installation, refresh=True) == demo_signer().jwks
