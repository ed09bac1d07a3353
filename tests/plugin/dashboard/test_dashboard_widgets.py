"""The cards on Saleor's customer and order pages: the page Saleor's dashboard frames (posted or
loaded), and the JSON behind it, with the same token checks as every dashboard endpoint and only
this installation's rows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from plugin.saleor.testing import TestSigner
from tests.widget_records import ALICE, BOB, ORDER, seed

pytestmark = pytest.mark.django_db

def test_the_customer_card_shows_code_referrals_rewards_and_points(dash, shop):
    code, _ = seed(shop, timezone.now())
    card = dash.get("widgets/customer", id=ALICE).json()
    assert card["code"]["code"] == code.code
    assert card["referred_by"] is None
    assert card["referral_count"] == 1 and card["referrals"][0]["referee"] == "bob@example.com"
    assert card["reward_count"] == 2
    assert {(r["reward"], r["state"]) for r in card["rewards"]} == {
        ("10.00 USD", "held"), ("200 points", "issued")}
    assert card["points"] == 200

    bob = dash.get("widgets/customer", id=BOB).json()
    assert bob["referred_by"]["referrer"] == "alice@example.com"
    assert (bob["code"], bob["referral_count"], bob["points"]) == (None, 0, 0)


def test_the_order_card_says_whether_it_was_referred_and_its_rewards(dash, shop):
    seed(shop, timezone.now())
    card = dash.get("widgets/order", id=ORDER).json()
    assert card["referral"]["referrer"] == "alice@example.com"
    assert card["referral"]["status"] == "converted"
    assert [(r["reward"], r["state"]) for r in card["rewards"]] == [
        ("10.00 USD", "held"), ("200 points", "issued")]
    plain = dash.get("widgets/order", id="T3JkZXI6b3RoZXI=").json()
    assert plain == {"order": "T3JkZXI6b3RoZXI=", "referral": None, "rewards": []}


def test_cards_need_the_same_token_as_every_dashboard_call(dash, make_dash, shop, other_shop,
                                                           other_signer):
    seed(shop, timezone.now())
    assert dash.get("widgets/order").status_code == 400  # which order: required
    assert make_dash(None).get("widgets/customer", id=ALICE).status_code == 401
    # Another shop's staff sees nothing of this shop's rows.
    token = other_signer.mint_dashboard_token(saleor_api_url=other_shop.saleor_api_url,
                                              app_id=other_shop.app_id)
    other = make_dash(token, api_url=other_shop.saleor_api_url)
    assert other.get("widgets/order", id=ORDER).json()["referral"] is None
    assert other.get("widgets/customer", id=ALICE).json()["code"] is None
    forged = TestSigner().mint_dashboard_token(saleor_api_url=shop.saleor_api_url,
                                               app_id=shop.app_id)
    assert make_dash(forged).get("widgets/order", id=ORDER).status_code == 401


def test_the_card_page_takes_the_dashboards_form_post(client):
    response = client.post("/dashboard/widgets/customer", {
        "saleorApiUrl": "https://shop-a.example.com/graphql/", "accessToken": "eyJ.a.b",
        "appId": "QXBwOjc=", "customerId": ALICE})
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert f'"entityId": "{ALICE}"' in html and '"kind": "customer"' in html
    assert '"token": "eyJ.a.b"' in html
    assert "/dashboard/assets/widget.js" in html


def test_the_card_page_loaded_by_get_waits_for_the_handshake(client):
    response = client.get(f"/dashboard/widgets/order?orderId={ORDER}&theme=dark"
                          "&saleorApiUrl=https%3A%2F%2Fshop-a.example.com%2Fgraphql%2F")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-theme="dark"' in html
    assert f'"entityId": "{ORDER}"' in html and '"token"' not in html
    assert client.get("/dashboard/widgets/product").status_code == 404
    assert client.put("/dashboard/widgets/order").status_code == 405
