"""The one place clients towards Saleor are made, so tests and the demo can swap the transport."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from plugin.saleor.client import SaleorClient

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
_transport: httpx.BaseTransport | None = None  # None: the real network
_client_options: dict[str, Any] = {}


def saleor_transport() -> httpx.BaseTransport | None:
    return _transport


def saleor_http_client() -> httpx.Client:
    """A plain client that never follows redirects (a redirect could point inside the network)."""
    return httpx.Client(transport=_transport, timeout=TIMEOUT, follow_redirects=False)


def saleor_client(api_url: str, token: str | None) -> SaleorClient:
    """A GraphQL client for one Saleor, on the current transport."""
    return SaleorClient(api_url, token, transport=_transport, **_client_options)


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
