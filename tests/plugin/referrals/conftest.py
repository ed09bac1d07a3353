"""Fixtures of the referral tests: an installation for the captured Saleor and captured payloads."""

from __future__ import annotations

import copy

import pytest

from plugin.install.models import Installation
from plugin.saleor.captures import captured_delivery, captured_jwks

CAPTURED_API_URL = "http://127.0.0.1:8000/graphql/"


@pytest.fixture
def installation(db):
    return Installation.objects.create(
        saleor_api_url=CAPTURED_API_URL,
        domain="127.0.0.1:8000",
        app_id="QXBwOjE=",
        jwks=captured_jwks(),
    )


@pytest.fixture
def captured():
    """`captured("CHECKOUT_UPDATED", 6)` -> a fresh copy of that delivery's payload."""

    def load(event: str, number: int = 1) -> dict:
        return copy.deepcopy(captured_delivery(event, number).payload)

    return load
