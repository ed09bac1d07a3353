"""The cards on Saleor's customer and order pages in Chromium: the stand-in dashboard posts the
form Saleor's dashboard posts into a WIDGET frame (token, Saleor API URL, app id and the page's
customer or order id); the card shows the app's records for it, in light and dark."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.saleor.testing import TestSigner
from tests.e2e.conftest import APP_ID, SHOP_URL
from tests.widget_records import ALICE, ORDER, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card_host(*, app_base: str, kind: str, entity: str, token: str, theme: str) -> str:
    """A Saleor page with the app's card: a sandboxed frame the dashboard posts a form into."""
    fields = {"saleorApiUrl": SHOP_URL, "accessToken": token, "appId": APP_ID,
              ("orderId" if kind == "order" else "customerId"): entity}
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    background = "rgb(38, 40, 54)" if theme == "dark" else "#fff"
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Saleor</title></head>
<body style="margin:0;background:{background};font:14px sans-serif">
<div style="width:420px;margin:16px;border:1px solid #888;border-radius:8px;padding:8px">
<div>Apps</div>
<iframe name="card" id="card-frame" style="width:100%;height:520px;border:0"
  sandbox="allow-same-origin allow-forms allow-scripts allow-downloads"></iframe></div>
<form id="post" method="POST" action="{app_base}/dashboard/widgets/{kind}" target="card">
{inputs}</form>
<script>
  var frame = document.getElementById("card-frame");
  frame.addEventListener("load", function () {{
    frame.contentWindow.postMessage({{type: "theme", payload: {json.dumps({"theme": theme})}}},
                                    "{app_base}");
  }});
  document.getElementById("post").submit();
</script></body></html>"""


@pytest.fixture
def open_card(chromium, live_server, bundle, shop, fake_saleor, signer, dashboard_server):
    contexts = []

    def open_(kind: str, entity: str, *, theme: str = "light", token: str | None = None):
        token = token or signer.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=APP_ID,
                                                     email="ann@shop-e2e.example.com")
        context = chromium.new_context(viewport={"width": 480, "height": 600})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        html = card_host(app_base=live_server.url, kind=kind, entity=entity, token=token,
                         theme=theme)
        page.goto(dashboard_server.serve(html))
        return page, page.frame_locator("#card-frame")

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_customer_card_on_saleors_customer_page(open_card, shop, shot, theme):
    code, _ = seed(shop, timezone.now())
    page, card = open_card("customer", ALICE, theme=theme)
    expect(card.locator("#widget-code")).to_have_text(code.code)
    expect(card.locator("#widget-referrals")).to_have_text("1")
    expect(card.locator("#widget-points")).to_have_text("200")
    expect(card.locator("#widget-customer")).to_contain_text("bob@example.com")
    expect(card.locator("#widget-customer tr[data-reward]")).to_have_count(2)
    expect(card.locator("html")).to_have_attribute("data-theme", theme)
    shot(page, f"40-widget-customer-{theme}")
    assert page.errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_order_card_on_saleors_order_page(open_card, shop, shot, theme):
    seed(shop, timezone.now())
    page, card = open_card("order", ORDER, theme=theme)
    expect(card.locator("#widget-referred")).to_contain_text("alice@example.com")
    expect(card.locator("#widget-referred")).to_contain_text("converted")
    rows = card.locator("#widget-order tr[data-reward]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("10.00 USD")
    expect(rows.first).to_contain_text("held")
    shot(page, f"41-widget-order-{theme}")
    assert page.errors == []


def test_a_card_with_a_forged_token_shows_the_refusal(open_card, shop):
    seed(shop, timezone.now())
    forged = TestSigner().mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=APP_ID)
    _page, card = open_card("order", ORDER, token=forged)
    expect(card.locator(".error")).to_contain_text("session could not be verified",
                                                   timeout=10_000)
    expect(card.locator("#widget-order")).to_have_count(0)
