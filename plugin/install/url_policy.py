"""Which Saleor API URLs may install the app: allow-list patterns plus an SSRF guard on addresses.

A pattern is `scheme://host[:port]/path` where `*` in the host matches one or more DNS labels
and `*` in the path matches anything; a lone `*` allows every URL. Whatever the patterns say,
hosts that resolve to private, loopback, link-local or otherwise non-public addresses are
refused unless private addresses are explicitly allowed. The URL is checked, and returned, in its
canonical spelling (`plugin.saleor.api_url`), so no other spelling can slip past a pattern.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from urllib.parse import SplitResult, urlsplit

from plugin.saleor.api_url import NotASaleorApiUrl, saleor_api_url_canonical

Resolver = Callable[[str, int], list[str]]
_HOST_LABEL = re.compile(r"^[a-z0-9-]{1,63}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SaleorUrlRefused(Exception):
    """This URL may not install the app; `.reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address the host resolves to (all of them are checked, not just the first)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise SaleorUrlRefused(f"host {host!r} does not resolve") from error
    return sorted({info[4][0] for info in infos})


def _parts(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError as error:
        raise SaleorUrlRefused(f"not a valid URL: {error}") from error
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise SaleorUrlRefused("the Saleor API URL must be an http(s) URL with a host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SaleorUrlRefused("the Saleor API URL must not carry credentials, query or fragment")
    if not parts.path.endswith("/graphql/"):
        raise SaleorUrlRefused("the Saleor API URL must end in /graphql/")
    return parts


def _host_is_valid(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return all(_HOST_LABEL.match(label) for label in host.split("."))


def _matches(parts: SplitResult, pattern: str) -> bool:
    if pattern == "*":
        return True
    wanted = urlsplit(pattern)
    if wanted.scheme != parts.scheme:
        return False
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    wanted_port = wanted.port or _DEFAULT_PORTS.get(wanted.scheme)
    host_pattern = (wanted.hostname or "").lower()
    # fnmatch's `*` would cross dots and match nothing but a host here: hosts contain no `/`.
    host_ok = fnmatchcase(parts.hostname or "", host_pattern) if host_pattern else False
    return host_ok and port == wanted_port and fnmatchcase(parts.path, wanted.path or "/*")


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def saleor_url_check(
    *,
    url: str,
    patterns: Iterable[str],
    allow_private: bool,
    resolve: Resolver = resolve_addresses,
) -> str:
    """Returns the URL's canonical spelling if it may install the app, else raises
    `SaleorUrlRefused`."""
    try:
        url = saleor_api_url_canonical(url)
    except NotASaleorApiUrl as error:
        raise SaleorUrlRefused(error.reason) from error
    parts = _parts(url)
    host = (parts.hostname or "").lower()
    if not _host_is_valid(host):
        raise SaleorUrlRefused(f"invalid host {host!r}")
    if not any(_matches(parts, pattern) for pattern in patterns):
        raise SaleorUrlRefused(f"{url} is not in ALLOWED_SALEOR_URLS")
    if allow_private:
        return url
    addresses = resolve(host, parts.port or _DEFAULT_PORTS[parts.scheme])
    if not addresses:
        raise SaleorUrlRefused(f"host {host!r} does not resolve")
    private = [address for address in addresses if not is_public_address(address)]
    if private:
        raise SaleorUrlRefused(
            f"host {host!r} resolves to a private or loopback address ({private[0]}); "
            "set ALLOW_PRIVATE_SALEOR_URLS to allow it"
        )
    return url
