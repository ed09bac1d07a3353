"""Fixtures shared by the plugin tests: the captured Saleor's installation and a fake Saleor."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.cache import caches

from plugin.install.crypto import token_encrypt
from plugin.install.http import use_saleor_transport
from plugin.install.models import Installation
from plugin.saleor.captures import captured_jwks
from plugin.saleor.fake import FakeSaleor
from plugin.webhooks.installations import active_installations_forget
from plugin.webhooks.models import WebhookDelivery
from tests.plugin.webhooks.replay import post

CAPTURED_API_URL = "http://127.0.0.1:8000/graphql/"
CAPTURED_APP_ID = "QXBwOjQ="  # the app installed from a manifest in the captures


@pytest.fixture(autouse=True)
def _fresh_installation_cache() -> Iterator[None]:
    """Each test starts with an empty webhook installation cache (rolled-back rows linger)
    and fresh rate-limit counters."""
    active_installations_forget()
    for alias in ("default", "rate_limits"):
        caches[alias].clear()
    yield
    active_installations_forget()


@pytest.fixture
def frozen_rate_window(monkeypatch) -> None:
    """Rate limits count per clock-aligned window: hold the limiter's clock still so a test's
    requests cannot straddle two windows and see fresh counters half-way."""
    import django_ratelimit.core

    still = SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", still)


@pytest.fixture
def captured_installation(db) -> Installation:
    """The Saleor the captures came from, as if it had installed the app (JWKS = jwks.json)."""
    return Installation.objects.create(
        saleor_api_url=CAPTURED_API_URL,
        domain="127.0.0.1:8000",
        app_id=CAPTURED_APP_ID,
        auth_token_encrypted=token_encrypt(token="captured-app-token"),
        jwks=captured_jwks(),
    )


@pytest.fixture
def fake_saleor() -> Iterator[FakeSaleor]:
    """A fake of the captured Saleor; every request the app makes to a Saleor goes to it."""
    fake = FakeSaleor(api_url=CAPTURED_API_URL)
    with use_saleor_transport(fake.transport, sleep=lambda _seconds: None):
        yield fake


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post captured deliveries through the real webhook endpoint; inline tasks run as after a
    real commit, and every delivery must end `done`."""

    def run(deliveries):
        for delivery in deliveries:
            with django_capture_on_commit_callbacks(execute=True):
                response = post(client, delivery)
            assert response.status_code == 200, (delivery.path, response.content)
        failed = WebhookDelivery.objects.exclude(status="done").values_list("event", "last_error")
        assert list(failed) == []

    return run
