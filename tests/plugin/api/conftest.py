"""Fixtures of the storefront API tests: a shop whose Saleor signs with a test key; tokens."""

from __future__ import annotations

import time

import jwt
import pytest
from django.core.cache import caches

from plugin.install.models import Installation
from plugin.saleor.testing import TestSigner

SALEOR_API_URL = "http://127.0.0.1:8000/graphql/"


@pytest.fixture(scope="session")
def signer():
    return TestSigner()


@pytest.fixture
def shop(db, signer):
    caches["rate_limits"].clear()  # rate-limit counters from earlier tests
    return Installation.objects.create(
        saleor_api_url=SALEOR_API_URL, app_id="QXBwOjE=", jwks=signer.jwks
    )


@pytest.fixture
def customer_token(signer):
    """A Saleor customer access token, shaped like `tokens/staff-access-token.json`."""

    def mint(
        *,
        user_id="VXNlcjo0Nw==",
        email="bob.friend@example.com",
        iss=SALEOR_API_URL,
        type="access",
        lifetime=300,
        key=None,
        **extra,
    ):
        now = int(time.time())
        claims = {
            "iat": now,
            "owner": "saleor",
            "iss": iss,
            "exp": now + lifetime,
            "token": "t0k3n",
            "email": email,
            "type": type,
            "user_id": user_id,
            "is_staff": False,
            **extra,
        }
        signing = key or signer
        return jwt.encode(
            claims, signing.private_key, algorithm="RS256", headers={"kid": signing.kid}
        )

    return mint


@pytest.fixture
def gql(client):
    """POST a query to the storefront API; returns the JSON answer."""

    def run(
        query, variables=None, *, token=None, api_url=SALEOR_API_URL, remote_addr="203.0.113.7"
    ):
        headers = {"HTTP_SALEOR_API_URL": api_url} if api_url else {}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        response = client.post(
            "/api/graphql/",
            {"query": query, "variables": variables or {}},
            content_type="application/json",
            REMOTE_ADDR=remote_addr,
            **headers,
        )
        assert response.status_code == 200, response.content
        return response.json()

    return run
