"""Fixtures for dashboard endpoint tests: a Saleor stand-in signer, its installation, and a
client that sends the two headers Saleor's App Bridge page sends."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from plugin.install.models import Installation
from plugin.saleor.testing import TestSigner

SHOP_URL = "https://shop-a.example.com/graphql/"
SHOP_APP_ID = "QXBwOjc="
OTHER_URL = "https://shop-b.example.com/graphql/"
OTHER_APP_ID = "QXBwOjg="


@pytest.fixture(scope="session")
def signer() -> TestSigner:
    return TestSigner()


@pytest.fixture(scope="session")
def other_signer() -> TestSigner:
    return TestSigner()


@pytest.fixture
def shop(db, signer) -> Installation:
    return Installation.objects.create(
        saleor_api_url=SHOP_URL, domain="shop-a.example.com", app_id=SHOP_APP_ID, jwks=signer.jwks
    )


@pytest.fixture
def other_shop(db, other_signer) -> Installation:
    return Installation.objects.create(
        saleor_api_url=OTHER_URL, domain="shop-b.example.com", app_id=OTHER_APP_ID,
        jwks=other_signer.jwks,
    )


@dataclass
class DashboardClient:
    """Calls the dashboard API as the page does: token and Saleor API URL in headers."""

    client: object
    token: str | None
    api_url: str | None

    def _headers(self) -> dict[str, str]:
        headers = {}
        if self.token is not None:
            headers["authorization-bearer"] = self.token
        if self.api_url is not None:
            headers["saleor-api-url"] = self.api_url
        return headers

    def get(self, path: str, **params):
        return self.client.get(f"/dashboard/api/{path}", params, headers=self._headers())

    def post(self, path: str, body: dict | None = None, method: str = "post"):
        send = getattr(self.client, method)
        return send(f"/dashboard/api/{path}", data=json.dumps(body or {}),
                    content_type="application/json", headers=self._headers())

    def put(self, path: str, body: dict | None = None):
        return self.post(path, body, method="put")


@pytest.fixture
def staff_token(signer) -> str:
    return signer.mint_dashboard_token(
        saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID, email="ann@shop-a.example.com",
        user_id="VXNlcjo1",
    )


@pytest.fixture
def dash(client, shop, staff_token) -> DashboardClient:
    return DashboardClient(client=client, token=staff_token, api_url=SHOP_URL)


@pytest.fixture
def make_dash(client, shop):
    def make(token: str | None, api_url: str | None = SHOP_URL) -> DashboardClient:
        return DashboardClient(client=client, token=token, api_url=api_url)

    return make


@pytest.fixture(autouse=True)
def no_real_saleor():
    """Any request to a Saleor (a JWKS refresh, recent orders) goes to a fake, never the network."""
    from plugin.install.http import use_saleor_transport
    from plugin.saleor.fake import FakeSaleor

    fake = FakeSaleor(api_url=SHOP_URL)
    with use_saleor_transport(fake.transport):
        yield fake


def _load_program_sources():
    """The program texts the program tests use (one copy, in tests/plugin/programs)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "programs" / "program_sources.py"
    spec = importlib.util.spec_from_file_location("dashboard_program_sources", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sources():
    return _load_program_sources()
