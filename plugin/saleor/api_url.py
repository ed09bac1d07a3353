"""One spelling per Saleor API URL, so one Saleor is one installation however its URL is written.

`HTTP://Shop.Example:0443/graphql` and `https://shop.example/graphql/` name the same Saleor; both
become the second. Scheme and host are lower-cased, the host goes to its IDNA (punycode) form, a
default or zero-padded port is normalised, dot segments and repeated slashes leave the path, which
ends in exactly one slash. A URL carrying credentials, a query or a fragment is refused, never
silently trimmed: it is not a Saleor API URL.
"""

from __future__ import annotations

import ipaddress
import posixpath
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import idna

_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 512


class NotASaleorApiUrl(ValueError):
    """The text cannot name a Saleor API: `.reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _host(raw: str) -> str:
    host = raw.strip().rstrip(".") if raw else ""
    if not host:
        raise NotASaleorApiUrl("the Saleor API URL must be an http(s) URL with a host")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        # UTS #46 mapping lower-cases and folds the name the way browsers and resolvers do.
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise NotASaleorApiUrl(f"invalid host {host[:100]!r}: {error}") from error


def _path(raw: str) -> str:
    path = posixpath.normpath("/" + raw) if raw.strip("/") else "/"
    path = "/" + path.lstrip("/")  # normpath keeps a leading "//"
    return path if path.endswith("/") else path + "/"


@lru_cache(maxsize=1024)
def saleor_api_url_canonical(url: str) -> str:
    """The canonical spelling of a Saleor API URL; raises `NotASaleorApiUrl` for anything else."""
    if not isinstance(url, str) or not url.strip():
        raise NotASaleorApiUrl("the Saleor API URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise NotASaleorApiUrl("the Saleor API URL is too long")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise NotASaleorApiUrl(f"not a valid URL: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise NotASaleorApiUrl("the Saleor API URL must be an http(s) URL")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise NotASaleorApiUrl("the Saleor API URL must not carry credentials, query or fragment")
    if port == 0:
        raise NotASaleorApiUrl("port 0 is not a port")
    host = _host(parts.hostname or "")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _path(parts.path), "", ""))


def saleor_api_url_or_none(url: str | None) -> str | None:
    """The canonical spelling, or None when the text names no Saleor API (for look-ups)."""
    try:
        return saleor_api_url_canonical(url or "")
    except NotASaleorApiUrl:
        return None
