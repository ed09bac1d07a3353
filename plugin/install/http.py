"""The one place clients towards Saleor are made, so tests and the demo can swap the transport."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx
from django.conf import settings

from plugin.install.url_policy import SaleorUrlRefused, is_public_address, resolve_addresses
from plugin.saleor.client import SaleorClient

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
_transport: httpx.BaseTransport | None = None  # None: the real network, guarded
_client_options: dict[str, Any] = {}


class _PublicAddressesOnly(httpcore.SyncBackend):
    """Resolves at connect time and refuses private addresses, so a Saleor host whose DNS
    changes after install (rebinding) still cannot point the app inside the network."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None):
        try:
            addresses = resolve_addresses(host, port)
        except SaleorUrlRefused as error:
            raise httpcore.ConnectError(error.reason) from error
        if not settings.ALLOW_PRIVATE_SALEOR_URLS:
            private = [address for address in addresses if not is_public_address(address)]
            if private or not addresses:
                raise httpcore.ConnectError(f"{host} resolves to a non-public address")
        # Connect to the checked address; TLS still verifies and sends the host name (SNI).
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def guarded_network_transport() -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(trust_env=False)  # no proxy from the environment
    transport._pool._network_backend = _PublicAddressesOnly()  # httpx exposes no parameter
    return transport


def saleor_transport() -> httpx.BaseTransport:
    """The transport to Saleor: a fake when one is set, else the guarded network."""
    return _transport or guarded_network_transport()


def saleor_http_client() -> httpx.Client:
    """A plain client that never follows redirects (a redirect could point inside the network)."""
    return httpx.Client(transport=saleor_transport(), timeout=TIMEOUT, follow_redirects=False)


def saleor_client(api_url: str, token: str | None) -> SaleorClient:
    """A GraphQL client for one Saleor, on the current transport."""
    return SaleorClient(api_url, token, transport=saleor_transport(), **_client_options)


def set_default_transport(transport: httpx.BaseTransport | None) -> None:
    """The transport outside any `use_saleor_transport` block (the demo sets its fake here)."""
    global _transport
    _transport = transport


@contextmanager
def use_saleor_transport(
    transport: httpx.BaseTransport | None, **client_options: Any
) -> Iterator[None]:
    """Routes every request to Saleor through `transport` (a fake Saleor) inside the block;
    `client_options` go to each `SaleorClient` (e.g. `sleep=` to skip waiting between retries)."""
    global _transport, _client_options
    previous = _transport, _client_options
    _transport, _client_options = transport, client_options
    try:
        yield
    finally:
        _transport, _client_options = previous
