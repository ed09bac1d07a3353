"""The webhook path's installation cache: saves a query per delivery, never outlives a change."""

from __future__ import annotations

from plugin.install.services import installation_deactivate
from plugin.webhooks import installations
from plugin.webhooks.installations import active_installation

URL = "http://127.0.0.1:8000/graphql/"


def test_a_second_delivery_reads_no_installation_row(captured_installation,
                                                      django_assert_num_queries):
    assert active_installation(saleor_api_url=URL) == captured_installation
    with django_assert_num_queries(0):
        assert active_installation(saleor_api_url=URL) == captured_installation


def test_a_deactivation_in_this_process_is_seen_at_once(captured_installation):
    cached = active_installation(saleor_api_url=URL)
    installation_deactivate(installation=cached)
    assert active_installation(saleor_api_url=URL) is None


def test_entries_expire(captured_installation, monkeypatch, django_assert_num_queries):
    active_installation(saleor_api_url=URL)
    clock = installations.time.monotonic() + installations.TTL_SECONDS + 1
    monkeypatch.setattr(installations.time, "monotonic", lambda: clock)
    with django_assert_num_queries(1):
        active_installation(saleor_api_url=URL)


def test_unknown_urls_are_not_cached(db, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1):
            assert active_installation(saleor_api_url="https://nobody.example/graphql/") is None
