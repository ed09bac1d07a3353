"""JWKS URL and fetch: the captured key set is accepted; outages and bad shapes are typed errors."""

from __future__ import annotations

import json

import httpx
import pytest

from plugin.saleor.jwks import JWKSUnavailable, fetch_jwks, jwks_url_for
from plugin.saleor.testing import DEFAULT_SALEOR_API_URL as CAPTURED_API_URL


def test_jwks_url_replaces_the_graphql_path():
    assert jwks_url_for(CAPTURED_API_URL) == "http://127.0.0.1:8000/.well-known/jwks.json"
    assert jwks_url_for("https://shop.example/graphql") == "https://shop.example/.well-known/jwks.json"
    assert (
        jwks_url_for("https://x.example/saleor/graphql/")
        == "https://x.example/saleor/.well-known/jwks.json"
    )
    with pytest.raises(ValueError):
        jwks_url_for("https://shop.example/api/")


def _client(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_fetch_returns_the_captured_key_set(jwks):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=jwks)

    assert fetch_jwks(CAPTURED_API_URL, http=_client(handler)) == jwks
    assert seen == ["http://127.0.0.1:8000/.well-known/jwks.json"]


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(500, text="boom"), "HTTP 500"),
        (httpx.Response(404), "HTTP 404"),
        (httpx.Response(200, text="<html>"), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "'keys'"),
        (httpx.Response(200, json={"keys": [{"kty": "RSA"}]}), "kid"),
        (httpx.Response(200, json={"keys": ["x"]}), "kty"),
        (httpx.Response(200, content=json.dumps({"keys": [], "p": "x" * 300_000})), "too large"),
    ],
)
def test_bad_answers_are_unavailable(response, reason):
    with pytest.raises(JWKSUnavailable, match=reason):
        fetch_jwks(CAPTURED_API_URL, http=_client(lambda request: response))


def test_network_error_is_unavailable():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(JWKSUnavailable, match="ConnectError"):
        fetch_jwks(CAPTURED_API_URL, http=_client(handler))
