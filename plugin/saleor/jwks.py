"""Fetching a Saleor's JSON Web Key Set, the public keys behind webhook JWS and dashboard JWTs."""

from __future__ import annotations

import json
from typing import Any

import httpx

_GRAPHQL_SUFFIX = "/graphql/"
_JWKS_PATH = "/.well-known/jwks.json"
_MAX_JWKS_BYTES = 256 * 1024  # a key set is a few KB; refuse anything absurd


class JWKSUnavailable(Exception):
    """The JWKS could not be fetched or is not a key set (network, 5xx, bad JSON)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def jwks_url_for(saleor_api_url: str) -> str:
    """`https://shop.example/graphql/` → `https://shop.example/.well-known/jwks.json`."""
    url = saleor_api_url if saleor_api_url.endswith("/") else saleor_api_url + "/"
    if not url.endswith(_GRAPHQL_SUFFIX):
        raise ValueError(f"not a Saleor API URL (must end in /graphql/): {saleor_api_url!r}")
    return url[: -len(_GRAPHQL_SUFFIX)] + _JWKS_PATH


def validate_jwks(data: Any) -> dict[str, Any]:
    """Checks the shape `{"keys": [{"kty", "kid", ...}, ...]}`; returns it unchanged."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JWKSUnavailable("JWKS is not an object with a 'keys' list")
    for key in data["keys"]:
        if not isinstance(key, dict) or not isinstance(key.get("kty"), str):
            raise JWKSUnavailable("JWKS holds a key without 'kty'")
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            raise JWKSUnavailable("JWKS holds a key without 'kid'")
    return data


def fetch_jwks(saleor_api_url: str, *, http: httpx.Client) -> dict[str, Any]:
    """GETs and validates the JWKS of the Saleor at `saleor_api_url`."""
    url = jwks_url_for(saleor_api_url)
    try:
        with http.stream("GET", url, headers={"Accept": "application/json"}) as response:
            if response.status_code != 200:
                raise JWKSUnavailable(
                    f"JWKS request to {url} answered HTTP {response.status_code}"
                )
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > _MAX_JWKS_BYTES:  # stop reading: a key set is a few KB
                    raise JWKSUnavailable(f"JWKS at {url} is too large")
    except httpx.HTTPError as exc:
        raise JWKSUnavailable(f"JWKS request to {url} failed: {type(exc).__name__}") from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise JWKSUnavailable(f"JWKS at {url} is not JSON") from exc
    return validate_jwks(data)
