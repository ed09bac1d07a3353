"""The address of the client a request came from, believing `X-Forwarded-For` only from proxies
the deployment trusts (`TRUSTED_PROXIES`, CIDRs).

The header is read right to left: each hop was appended by the proxy to its right, so an entry
counts only while everything to its right is a trusted proxy. A client can prepend anything it
likes; it cannot get past the first untrusted hop. Rate limits key on this address.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks_parse(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDRs (or single addresses) of trusted proxies; ValueError names a malformed one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an address or CIDR") from exc
    return tuple(networks)


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return proxy_networks_parse(values)


def _address(text: str) -> IPAddress | None:
    """An address as proxies write it: bare, `[v6]:port` or `v4:port`; None when it is not one."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the first hop (from the right) no trusted proxy
    vouches for. An unreadable hop ends the walk at the trusted proxy that passed it on."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    address = remote
    if networks:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            if not _trusted(address, networks):
                break
            parsed = _address(hop)
            if parsed is None:
                break
            address = parsed
    return str(address)
