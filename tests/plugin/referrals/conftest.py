"""Fixtures of the referral tests: an installation for the captured Saleor, captured payloads
and Alice, whose sign-up in the captures gives her the code ALICE-REF."""

from __future__ import annotations

import copy

import pytest

from plugin.install.models import Installation
from plugin.referrals.models import ReferralCode
from plugin.saleor.captures import captured_delivery, captured_jwks
from plugin.use_cases.attribution import customer_referral_sync

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


@pytest.fixture
def alice(installation, captured) -> ReferralCode:
    """Alice's code, made the way the app makes it: from her captured CUSTOMER_CREATED."""
    customer_referral_sync(installation=installation, payload=captured("CUSTOMER_CREATED", 1))
    return ReferralCode.objects.get(installation=installation, code="ALICE-REF")
