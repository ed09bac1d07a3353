"""Requests to a Saleor resolve at connect time and never reach private addresses (rebinding)."""

from __future__ import annotations

import socket

import httpx
import pytest
from django.test import override_settings

from plugin.install.http import saleor_http_client


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@override_settings(ALLOW_PRIVATE_SALEOR_URLS=False)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_a_loopback_saleor_is_never_connected_to(host):
    with saleor_http_client() as http, pytest.raises(httpx.ConnectError, match="non-public"):
        http.get(f"http://{host}:{unused_port()}/.well-known/jwks.json")


@override_settings(ALLOW_PRIVATE_SALEOR_URLS=True)
def test_private_addresses_are_reached_only_when_allowed():
    with saleor_http_client() as http, pytest.raises(httpx.ConnectError) as error:
        http.get(f"http://127.0.0.1:{unused_port()}/.well-known/jwks.json")
    assert "non-public" not in str(error.value)  # it really tried: connection refused
