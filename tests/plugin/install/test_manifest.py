"""The manifest: served with absolute URLs, valid for Saleor 3.24, faithful to the captures."""

from __future__ import annotations

from functools import cache

import pytest
from django.test import override_settings
from graphql import GraphQLSchema, build_schema, parse, validate

from plugin.install.manifest import (
    declared_events,
    manifest_for,
    manifest_template,
    webhook_families,
)
from plugin.install.manifest_checks import (
    DASHBOARD_RENDERED_MOUNTS,
    ManifestProblem,
    app_manifest_problems,
    saleor_manifest_problems,
)
from plugin.saleor.captures import subscription_query
from plugin.saleor.subscriptions import subscription_fields_within
from plugin.webhooks.registry import handled_events, handlers_for
from tests.captured_saleor import TEST_CAPTURES, load_json, schema_sdl

MANIFEST = manifest_template()
WEBHOOKS = MANIFEST["webhooks"]
REQUIRED_PERMISSIONS = {"MANAGE_CHECKOUTS", "MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_DISCOUNTS",
                        "MANAGE_GIFT_CARD", "HANDLE_CHECKOUTS"}
REQUIRED_EVENTS = {"CHECKOUT_CREATED", "CHECKOUT_UPDATED", "ORDER_CREATED", "ORDER_PAID",
                   "ORDER_FULLY_PAID", "ORDER_FULFILLED", "ORDER_CANCELLED", "ORDER_REFUNDED",
                   "ORDER_FULLY_REFUNDED", "CUSTOMER_CREATED", "CUSTOMER_UPDATED",
                   "CUSTOMER_METADATA_UPDATED", "ACCOUNT_CONFIRMED", "APP_DELETED"}


@cache
def schema() -> GraphQLSchema:
    return build_schema(schema_sdl())


def captured_manifest_fetches() -> list[tuple[str, dict, list[dict]]]:
    """(path, served manifest, Saleor's `appFetchManifest` errors) for every captured fetch."""
    results = load_json("install/results.json")["appFetchManifest"]
    fetches = []
    for request_file in sorted((TEST_CAPTURES / "install" / "manifest-requests").glob("*.json")):
        request = load_json(f"install/manifest-requests/{request_file.name}")
        answer = results[request["path"]]["data"]["appFetchManifest"]
        fetches.append((request["path"], request["served_body"], answer["errors"]))
    return fetches


@pytest.mark.parametrize(("path", "served", "errors"), captured_manifest_fetches(),
                         ids=[f[0] for f in captured_manifest_fetches()])
def test_the_checks_answer_what_saleor_answered_for_each_captured_manifest(path, served, errors):
    expected = [ManifestProblem(e["field"], e["code"], e["message"]) for e in errors]
    assert saleor_manifest_problems(served, schema=schema()) == expected


def test_the_app_manifest_passes_saleors_checks_and_ours():
    served = manifest_for(base_url="https://referrals.example.com")
    assert app_manifest_problems(served, schema=schema()) == []


def test_the_app_checks_catch_a_webhook_whose_query_is_about_another_event():
    broken = manifest_for(base_url="https://referrals.example.com")
    broken["webhooks"][0]["asyncEvents"] = ["ORDER_PAID"]
    problems = app_manifest_problems(broken, schema=schema())
    assert any("query skips ORDER_PAID" in p.message for p in problems)


def test_the_app_checks_catch_a_query_without_the_event_typename():
    broken = manifest_for(base_url="https://referrals.example.com")
    broken["webhooks"][0]["query"] = broken["webhooks"][0]["query"].replace("__typename", "", 1)
    problems = app_manifest_problems(broken, schema=schema())
    assert any("ask for __typename" in p.message for p in problems)


def test_identity_and_permissions():
    assert MANIFEST["id"] and MANIFEST["version"] and MANIFEST["name"]
    assert set(MANIFEST["permissions"]) == REQUIRED_PERMISSIONS
    assert MANIFEST["appUrl"] == "/dashboard/"
    assert MANIFEST["tokenTargetUrl"] == "/api/register"
    page, customer, order = MANIFEST["extensions"]
    assert page["mount"] == "NAVIGATION_DISCOUNTS" and page["target"] == "APP_PAGE"
    # Cards on Saleor's own customer and order pages. Loaded (GET) like the app page, they get
    # the page's id in their URL, the token by handshake and the dashboard's theme and its
    # changes; a posted (POST) card is told no theme by the dashboard (3.23), so it could not
    # follow a dark dashboard.
    assert (customer["mount"], customer["target"]) == ("CUSTOMER_DETAILS_WIDGETS", "WIDGET")
    assert (order["mount"], order["target"]) == ("ORDER_DETAILS_WIDGETS", "WIDGET")
    for widget in (customer, order):
        assert widget["options"] == {"widgetTarget": {"method": "GET"}}


# What saleor-dashboard 3.23.27 renders, as read from its source: the sidebar's app pages, the
# widgets on detail pages, and the "more actions" / "create" menus of list and detail pages.
RENDERED_BY_THE_DASHBOARD = {
    "NAVIGATION_CATALOG", "NAVIGATION_ORDERS", "NAVIGATION_CUSTOMERS", "NAVIGATION_DISCOUNTS",
    "NAVIGATION_TRANSLATIONS", "NAVIGATION_PAGES",
    "ORDER_DETAILS_MORE_ACTIONS", "ORDER_OVERVIEW_CREATE", "ORDER_DETAILS_WIDGETS",
    "ORDER_OVERVIEW_MORE_ACTIONS", "DRAFT_ORDER_DETAILS_WIDGETS",
    "DRAFT_ORDER_DETAILS_MORE_ACTIONS",
    "DRAFT_ORDER_OVERVIEW_CREATE", "DRAFT_ORDER_OVERVIEW_MORE_ACTIONS",
    "CUSTOMER_OVERVIEW_CREATE", "CUSTOMER_OVERVIEW_MORE_ACTIONS", "CUSTOMER_DETAILS_MORE_ACTIONS",
    "CUSTOMER_DETAILS_WIDGETS",
    "PRODUCT_OVERVIEW_CREATE", "PRODUCT_OVERVIEW_MORE_ACTIONS", "PRODUCT_DETAILS_MORE_ACTIONS",
    "PRODUCT_DETAILS_WIDGETS",
    "VOUCHER_DETAILS_MORE_ACTIONS", "VOUCHER_DETAILS_WIDGETS", "VOUCHER_OVERVIEW_CREATE",
    "VOUCHER_OVERVIEW_MORE_ACTIONS",
    "DISCOUNT_DETAILS_MORE_ACTIONS", "DISCOUNT_OVERVIEW_CREATE", "DISCOUNT_OVERVIEW_MORE_ACTIONS",
    "GIFT_CARD_DETAILS_MORE_ACTIONS", "GIFT_CARD_DETAILS_WIDGETS", "GIFT_CARD_OVERVIEW_CREATE",
    "GIFT_CARD_OVERVIEW_MORE_ACTIONS",
    *(f"{subject}_{place}" for subject in ("CATEGORY", "COLLECTION", "MENU", "PAGE", "PAGE_TYPE")
      for place in ("DETAILS_MORE_ACTIONS", "OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS")),
    "COLLECTION_DETAILS_WIDGETS", "TRANSLATIONS_MORE_ACTIONS", "HOMEPAGE_WIDGETS", "SEARCH_ACTION",
}


def test_the_checks_know_exactly_the_mounts_the_dashboard_renders():
    assert DASHBOARD_RENDERED_MOUNTS == RENDERED_BY_THE_DASHBOARD


def test_every_extension_is_on_a_mount_the_dashboard_renders():
    for extension in MANIFEST["extensions"]:
        assert extension["mount"] in RENDERED_BY_THE_DASHBOARD, extension
        if extension["target"] == "APP_PAGE" and extension["mount"].startswith("NAVIGATION_"):
            assert extension["url"].startswith("/")


@pytest.mark.parametrize(("mount", "target", "complaint"), [
    ("NAVIGATION_MARKETING", "APP_PAGE", "NAVIGATION_MARKETING: the dashboard never shows"),
    ("ORDER_DETAILS_MORE_ACTIONS", "WIDGET", "a WIDGET goes on a *_WIDGETS mount"),
])
def test_the_app_checks_catch_an_extension_the_dashboard_would_not_show(mount, target, complaint):
    broken = manifest_for(base_url="https://referrals.example.com")
    broken["extensions"][0].update(mount=mount, target=target)
    problems = app_manifest_problems(broken, schema=schema())
    assert any(complaint in p.message for p in problems), problems


@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[w["name"] for w in WEBHOOKS])
def test_every_subscription_query_validates_against_the_schema(webhook):
    assert [e.message for e in validate(schema(), parse(webhook["query"]))] == []


@pytest.mark.parametrize("webhook", WEBHOOKS, ids=[w["name"] for w in WEBHOOKS])
def test_every_subscription_stays_within_the_captured_fields(webhook):
    (event,) = webhook["asyncEvents"]
    assert subscription_fields_within(webhook["query"], subscription_query(event)) == []


def test_the_app_subscribes_to_the_events_it_needs_one_route_per_family():
    assert declared_events() >= REQUIRED_EVENTS
    assert set(webhook_families()) == {"orders", "checkouts", "customers", "gift-cards", "app"}
    for family, events in webhook_families().items():
        prefixes = {event.split("_")[0] for event in events}
        assert len(prefixes - {"ACCOUNT"}) == 1, (family, events)


def test_every_declared_webhook_has_a_handler_entry_and_every_handler_is_declared():
    assert handled_events() == declared_events()
    assert handlers_for("APP_DELETED"), "APP_DELETED must deactivate the installation"
    with pytest.raises(ValueError, match="not a webhook declared"):
        from plugin.webhooks.registry import HANDLERS, registry_check

        registry_check({**HANDLERS, "VOUCHER_CREATED": (lambda delivery: None,)})


@override_settings(APP_URL="https://referrals.example.com")
def test_the_served_manifest_uses_app_url(client):
    served = client.get("/api/manifest").json()

    assert served["appUrl"] == "https://referrals.example.com/dashboard/"
    assert served["tokenTargetUrl"] == "https://referrals.example.com/api/register"
    assert {w["targetUrl"] for w in served["webhooks"]} == {
        f"https://referrals.example.com/api/webhooks/{family}" for family in webhook_families()
    }
    assert served["extensions"][0]["url"] == "/"  # APP_PAGE URLs stay relative
    # a card's URL is used as it is: absolute, on the app's host (Saleor checks the host)
    assert [e["url"] for e in served["extensions"][1:]] == [
        "https://referrals.example.com/dashboard/widgets/customer",
        "https://referrals.example.com/dashboard/widgets/order"]
    assert saleor_manifest_problems(served, schema=schema()) == []


@override_settings(APP_URL="")
def test_without_app_url_the_manifest_follows_the_request(client):
    served = client.get("/api/manifest", HTTP_HOST="localhost:9000").json()
    assert served["tokenTargetUrl"] == "http://localhost:9000/api/register"
    assert served["webhooks"][0]["targetUrl"].startswith("http://localhost:9000/api/webhooks/")
