"""Endpoint x permission matrix: every dashboard URL in the URLconf, the Saleor permissions it
needs, proven by calling it with tokens that lack each one. A new endpoint fails this test
until it is given its row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plugin.install.manifest import manifest_for
from tests.plugin.dashboard.conftest import SHOP_APP_ID, SHOP_URL
from tests.plugin.dashboard.routes import dashboard_routes

USERS, ORDERS, DISCOUNTS = "MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_DISCOUNTS"

# url name -> permissions a staff member needs (besides having the app). None: not a token
# endpoint at all (the page shell and its assets hold no shop data; dev is loopback-only).
MATRIX: dict[str, frozenset[str] | None] = {
    "page": None, "page-section": None, "asset": None, "dev": None, "dev-token": None,
    # the program: reading it names only staff; changing it, draft included, is publishing
    "api-root": frozenset(), "program": frozenset(), "program-version": frozenset(),
    "program-diff": frozenset(),
    "program-draft": frozenset({DISCOUNTS}), "program-publish": frozenset({DISCOUNTS}),
    "program-rollback": frozenset({DISCOUNTS}),
    "audit": frozenset({USERS}),
    # the language tools work on text the merchant types
    "check": frozenset(), "types": frozenset(), "format": frozenset(), "examples": frozenset(),
    "sandbox": frozenset(), "vocabulary": frozenset(), "gallery": frozenset(),
    # the shop's orders, with their customers' e-mails
    "orders-recent": frozenset({ORDERS, USERS}),
    "backtests": frozenset({ORDERS}), "backtest": frozenset({ORDERS}),
    # A/B test results name figures of the shop's orders; promoting a winner is publishing
    "abtests": frozenset({ORDERS}), "abtest-promote": frozenset({DISCOUNTS}),
    "overview": frozenset({ORDERS}),
    # customers: who referred whom, who earned what
    "referrals": frozenset({USERS}), "rewards": frozenset({USERS}), "review": frozenset({USERS}),
    "contests": frozenset({USERS}), "sleeping": frozenset({USERS}), "codes": frozenset({USERS}),
    # segments and the advocates list (a CSV download too); a recompute reads them all
    "segments": frozenset({USERS}), "segments-csv": frozenset({USERS}),
    "segments-recompute": frozenset({USERS}),
    "review-reward": frozenset({DISCOUNTS}), "review-referral": frozenset({DISCOUNTS}),
    "code-deactivate": frozenset({DISCOUNTS, USERS}), "code-rotate": frozenset({DISCOUNTS, USERS}),
    # dead letters name customers; retrying one gives away what it failed to give
    "dead-letters": frozenset({USERS}), "dead-letter-delivery-retry": frozenset({DISCOUNTS}),
    "dead-letter-outbox-retry": frozenset({DISCOUNTS}),
    # what the shop gives away and says
    "settings": frozenset(), "settings-save": frozenset({DISCOUNTS}),
    "messages": frozenset(), "message-preview": frozenset(),
    "message": frozenset({DISCOUNTS}), "message-reset": frozenset({DISCOUNTS}),
    "sleeping-rate": frozenset({DISCOUNTS}),
    # affiliate partners: their figures and statements read orders; changes give money away
    "partners": frozenset({ORDERS}), "partner-statement": frozenset({ORDERS}),
    "partner-statement-csv": frozenset({ORDERS}),
    "partner-new": frozenset({DISCOUNTS}), "partner-check": frozenset({DISCOUNTS}),
    "partner-save": frozenset({DISCOUNTS}), "partner-code-new": frozenset({DISCOUNTS}),
    "partner-code-off": frozenset({DISCOUNTS}),
    "partner-payout": frozenset({DISCOUNTS, ORDERS}),
    # the cards on Saleor's customer and order pages (the card's shell holds no shop data)
    "widget": None, "widget-customer": frozenset({USERS}),
    "widget-order": frozenset({ORDERS, USERS}),
}
ALL_PERMISSIONS = frozenset({USERS, ORDERS, DISCOUNTS, "MANAGE_GIFT_CARD", "MANAGE_CHECKOUTS",
                             "HANDLE_CHECKOUTS"})
SAMPLE_ARGUMENTS = {"int": 1, "str": "win_back"}


ROUTES = sorted(dashboard_routes(), key=lambda row: row[0] or "")


def test_every_dashboard_url_has_its_row_in_the_matrix():
    names = [name for name, _view, _converters in ROUTES]
    assert len(names) == len(set(names)), "two dashboard routes share a name"
    assert set(names) == set(MATRIX), "a dashboard URL was added or removed: give it its row"


def test_the_manifest_asks_for_every_permission_the_dashboard_needs():
    needed = set().union(*(perms for perms in MATRIX.values() if perms))
    assert needed <= set(manifest_for(base_url="https://app.example.com")["permissions"])


def _call(client, name: str, view, converters: dict[str, str], permissions: frozenset[str],
          signer):
    token = signer.mint_dashboard_token(
        saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID, permissions=tuple(ALL_PERMISSIONS),
        user_permissions=tuple(sorted(permissions)))
    kwargs = {arg: SAMPLE_ARGUMENTS[kind] for kind, arg in converters.items()}
    method = sorted(view.allowed_methods)[0].lower()
    body = {} if method == "get" else "{}"
    return getattr(client, method)(
        reverse(f"dashboard:{name}", kwargs=kwargs), data=body, content_type="application/json",
        headers={"authorization-bearer": token, "saleor-api-url": SHOP_URL})


TOKEN_ROUTES = [row for row in ROUTES if MATRIX.get(row[0]) is not None]


@pytest.mark.parametrize(("name", "view", "converters"), TOKEN_ROUTES,
                         ids=[row[0] for row in TOKEN_ROUTES])
def test_each_endpoint_needs_exactly_its_permissions(client, shop, signer, name, view,
                                                     converters):
    required = MATRIX[name]

    enough = _call(client, name, view, converters, required, signer)
    assert enough.status_code not in (401, 403), (name, enough.content[:200])
    for missing in sorted(required):
        refused = _call(client, name, view, converters, ALL_PERMISSIONS - {missing}, signer)
        assert refused.status_code == 403, (name, missing)
        assert missing in refused.json()["error"]


@pytest.mark.parametrize("name", [name for name, perms in MATRIX.items() if perms is None])
def test_routes_outside_the_token_api_are_not_token_endpoints(name):
    view = next(view for route, view, _converters in ROUTES if route == name)
    assert not hasattr(view, "allowed_methods")


def test_a_staff_member_without_manage_discounts_cannot_stage_a_draft_for_publish(
        client, shop, signer):
    from plugin.programs.models import Program

    token = signer.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID,
                                        user_permissions=(ORDERS, USERS))
    response = client.put("/dashboard/api/program/draft", data='{"source": "x"}',
                          content_type="application/json",
                          headers={"authorization-bearer": token, "saleor-api-url": SHOP_URL})

    assert response.status_code == 403
    assert not Program.objects.filter(draft_source="x").exists()
