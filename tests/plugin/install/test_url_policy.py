"""Which Saleor API URLs may install: allow-list patterns and the private-address (SSRF) guard."""

from __future__ import annotations

import pytest

from plugin.install.url_policy import SaleorUrlRefused, saleor_url_check

CLOUD = ["https://*.saleor.cloud/graphql/"]


def resolver(*addresses: str):
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


PUBLIC = resolver("93.184.216.34")


@pytest.mark.parametrize(
    "url",
    ["https://shop.saleor.cloud/graphql/", "https://a.b.saleor.cloud/graphql/",
     "https://shop.saleor.cloud:443/graphql/"],
)
def test_urls_matching_a_pattern_pass(url):
    passed = saleor_url_check(url=url, patterns=CLOUD, allow_private=False, resolve=PUBLIC)
    assert passed == url.replace(":443", "")  # in its canonical spelling


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://shop.saleor.cloud/graphql/", "not in ALLOWED_SALEOR_URLS"),
        ("https://saleor.cloud.evil.com/graphql/", "not in ALLOWED_SALEOR_URLS"),
        ("https://evil.com/x.saleor.cloud/graphql/", "not in ALLOWED_SALEOR_URLS"),
        ("https://shop.saleor.cloud:8443/graphql/", "not in ALLOWED_SALEOR_URLS"),
        ("https://shop.saleor.cloud/other/", "must end in /graphql/"),
        ("https://user:pw@shop.saleor.cloud/graphql/", "credentials"),
        ("https://shop.saleor.cloud/graphql/?x=1", "query"),
        ("ftp://shop.saleor.cloud/graphql/", "http(s)"),
        ("https:///graphql/", "http(s)"),
        ("https://shop.saleor.cloud:99999/graphql/", "not a valid URL"),
        ("https://sh op.saleor.cloud/graphql/", "invalid host"),
    ],
)
def test_urls_outside_the_patterns_are_refused(url, reason):
    with pytest.raises(SaleorUrlRefused) as refused:
        saleor_url_check(url=url, patterns=CLOUD, allow_private=False, resolve=PUBLIC)
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        ("10.0.0.5",),
        ("192.168.1.1",),
        ("169.254.169.254",),  # cloud metadata
        ("100.64.0.1",),  # carrier-grade NAT
        ("::1",),
        ("fd00::1",),
        ("::ffff:127.0.0.1",),
        ("0.0.0.0",),
        ("93.184.216.34", "10.0.0.5"),  # one bad address among good ones is enough
    ],
)
def test_hosts_resolving_to_non_public_addresses_are_refused(addresses):
    with pytest.raises(SaleorUrlRefused) as refused:
        saleor_url_check(url="https://shop.saleor.cloud/graphql/", patterns=CLOUD,
                         allow_private=False, resolve=resolver(*addresses))
    assert "private or loopback" in refused.value.reason


def test_private_addresses_pass_when_explicitly_allowed():
    url = "http://127.0.0.1:8000/graphql/"
    assert saleor_url_check(url=url, patterns=["*"], allow_private=True, resolve=PUBLIC) == url


def test_a_literal_loopback_ip_is_resolved_and_refused_by_default():
    with pytest.raises(SaleorUrlRefused):
        saleor_url_check(url="http://127.0.0.1:8000/graphql/", patterns=["*"], allow_private=False)


def test_an_unresolvable_host_is_refused():
    with pytest.raises(SaleorUrlRefused) as refused:
        saleor_url_check(url="https://no-such-host.invalid/graphql/", patterns=["*"],
                         allow_private=False)
    assert "does not resolve" in refused.value.reason


def test_no_patterns_means_nothing_is_allowed():
    with pytest.raises(SaleorUrlRefused):
        saleor_url_check(url="https://shop.saleor.cloud/graphql/", patterns=[],
                         allow_private=False, resolve=PUBLIC)
