"""The client's address behind proxies: X-Forwarded-For only through trusted hops, right to left."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from plugin.client_address import client_address

PROXIES = ["10.0.0.0/8", "2001:db8::/32", "198.51.100.7"]


def address(settings, *, remote: str, forwarded: str | None = None,
            trusted: list[str] = PROXIES) -> str:
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    # no proxy: the peer is the client, whatever it claims
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
    # one trusted hop: the address it saw
    ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
    # a client prepending a forged hop gets no further than what the proxy saw
    ("10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
    # two trusted hops (CDN then load balancer), right to left
    ("10.0.0.2", "1.2.3.4, 203.0.113.9, 198.51.100.7", "203.0.113.9"),
    # every hop trusted: the leftmost
    ("10.0.0.2", "10.1.1.1, 10.2.2.2", "10.1.1.1"),
    # an unreadable hop ends the walk at the proxy that passed it on
    ("10.0.0.2", "203.0.113.9, garbage", "10.0.0.2"),
    # ports and IPv6 as proxies write them
    ("2001:db8::1", "[2001:db8:ffff::9]:443, 203.0.113.9:5123", "203.0.113.9"),
    ("10.0.0.2", "2a00:1450::1", "2a00:1450::1"),
    # a trusted proxy with no header
    ("10.0.0.2", None, "10.0.0.2"),
])
def test_the_client_address_through_trusted_hops(settings, remote, forwarded, expected):
    assert address(settings, remote=remote, forwarded=forwarded) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert address(settings, remote="10.0.0.2", forwarded="203.0.113.9", trusted=[]) == "10.0.0.2"
