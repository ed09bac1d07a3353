"""The demo installation: a pretend Saleor whose signing key lives under `var/`, so signed demo
webhooks and dashboard tokens go through the real verification path without a Saleor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from plugin.install.crypto import token_encrypt
from plugin.install.http import guarded_network_transport
from plugin.install.models import Installation
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.fake_rewards import RewardsSaleorState
from plugin.saleor.testing import TestSigner

DEMO_APP_ID = "QXBwOjE="  # App:1 of the pretend Saleor
DEMO_TOKEN = "demo-app-token-no-real-saleor"


def demo_key_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-saleor-key.pem"


class DemoSigner(TestSigner):
    """A `TestSigner` on a key kept on disk, so the demo survives restarts."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        public_jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
        self.kid = self._thumbprint(public_jwk)
        public_jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256", "key_ops": ["verify"]})
        self.jwks = {"keys": [public_jwk]}


def demo_signer() -> DemoSigner:
    """The demo Saleor's signer; the key is made once and kept (mode 0600) under VAR_DIR."""
    path = demo_key_path()
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return DemoSigner(key)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return DemoSigner(key)


def demo_installation_seed() -> tuple[Installation, bool]:
    """Creates or refreshes the demo installation (idempotent); returns it and whether it is new."""
    signer = demo_signer()
    api_url = settings.DEMO_SALEOR_API_URL
    with transaction.atomic():
        installation, created = Installation.objects.select_for_update().get_or_create(
            saleor_api_url=api_url,
            defaults={"domain": api_url.split("/")[2], "app_id": DEMO_APP_ID},
        )
        if created or installation.jwks != signer.jwks or not installation.is_active:
            installation.app_id = installation.app_id or DEMO_APP_ID
            installation.auth_token_encrypted = token_encrypt(token=DEMO_TOKEN)
            installation.jwks = signer.jwks
            installation.jwks_fetched_at = timezone.now()
            installation.is_active = True
            installation.save()
    return installation, created


class DemoRoutingTransport(httpx.BaseTransport):
    """Requests to the demo Saleor's host go to an in-process fake; all others to the network."""

    def __init__(self, *, demo_host: str, demo: httpx.BaseTransport) -> None:
        self._demo_host = demo_host
        self._demo = demo
        self._network = guarded_network_transport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == self._demo_host:
            return self._demo.handle_request(request)
        return self._network.handle_request(request)


def demo_saleor_transport() -> DemoRoutingTransport:
    """The pretend Saleor behind the demo installation: captured answers (orders, customers)
    plus stateful gift cards and vouchers, so the demo's use cases run without a Saleor."""
    api_url = settings.DEMO_SALEOR_API_URL
    fake = FakeSaleor(api_url=api_url, jwks=demo_signer().jwks)
    RewardsSaleorState().install(fake)
    return DemoRoutingTransport(demo_host=httpx.URL(api_url).host, demo=fake.transport)
