"""The cards on Saleor's customer and order pages in Chromium. The stand-in dashboard plays what
saleor-dashboard 3.23 was seen doing with the app's card (`tests/captured/dashboard/`): it loads
the card's URL with the page's id and theme in the query, hands over the token by handshake,
answers the card's actions, sizes the frame by the card's `widgetResize` and tells it of a theme
switch. The card shows the app's records for that customer or order, in light and dark."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugin.saleor.testing import TestSigner
from tests.captured_saleor import load_json
from tests.e2e.conftest import APP_ID, SHOP_URL
from tests.widget_records import ALICE, ORDER, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEN = load_json("dashboard/customer-widget.json")


def card_url(*, app_base: str, kind: str, entity: str, theme: str) -> str:
    """The card's URL as the real dashboard built it, on this test's app, shop and record."""
    seen = urlsplit(SEEN["frame"]["url"])
    mine = {"domain": urlsplit(SHOP_URL).netloc, "saleorApiUrl": SHOP_URL, "id": APP_ID,
            "customerId": entity, "theme": theme}
    query = [(("orderId" if kind == "order" and key == "customerId" else key),
              mine.get(key, value)) for key, value in parse_qsl(seen.query)]
    return f"{app_base}/dashboard/widgets/{kind}?{urlencode(query)}"


def card_host(*, url: str, token: str, theme: str) -> str:
    """A Saleor page with the app's card: a sandboxed frame, 200 px tall until the card says
    how tall it is, and the messages the real dashboard sends it."""
    background = "rgb(38, 40, 54)" if theme == "dark" else "#fff"
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    start_height = SEEN["frame"]["height_before_resize"]
    # what the dashboard sent as the card loaded: everything before its first token refresh,
    # but the answers to the card's own actions (this page answers those as they come)
    types = [m["type"] for m in SEEN["messages"]]
    on_load = [m for m in SEEN["messages"][:types.index("tokenRefresh")]
               if m["type"] != "response"]
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Saleor</title></head>
<body style="margin:0;background:{background};font:14px sans-serif">
<div style="width:344px;margin:16px"><div>Referrals</div>
<iframe id="card-frame" src="{url}" style="width:100%;height:{start_height};border:0"
  sandbox="{SEEN['frame']['sandbox']}"></iframe></div>
<script>
  var frame = document.getElementById("card-frame");
  var token = {json.dumps(token)}, theme = {json.dumps(theme)};
  var send = function (message) {{ frame.contentWindow.postMessage(message, "{origin}"); }};
  var withToken = function (m) {{
    var payload = Object.assign({{}}, m.payload);
    if (payload.token) payload.token = token;
    if (m.type === "theme") payload.theme = theme;
    return {{type: m.type, payload: payload}};
  }};
  window.resizes = [];
  window.addEventListener("message", function (event) {{
    if (event.source !== frame.contentWindow || !event.data) return;
    var action = event.data;
    if (action.type === "widgetResize") {{
      window.resizes.push(action.payload.height);
      frame.style.height = Math.ceil(action.payload.height) + "px";
    }}
    send({{type: "response", payload: {{actionId: action.payload.actionId, ok: true}}}});
  }});
  frame.addEventListener("load", function () {{
    {json.dumps(on_load)}.forEach(function (m) {{ send(withToken(m)); }});
  }});
  window.switchTheme = function (next) {{
    document.body.style.background = next === "dark" ? "rgb(38, 40, 54)" : "#fff";
    send({{type: "theme", payload: {{theme: next}}}});
  }};
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
        url = card_url(app_base=live_server.url, kind=kind, entity=entity, theme=theme)
        html = card_host(url=url, token=token, theme=theme)
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


def test_the_card_is_as_tall_as_what_it_shows(open_card, shop):
    seed(shop, timezone.now())
    page, card = open_card("customer", ALICE)
    expect(card.locator("#widget-customer tr[data-reward]")).to_have_count(2)
    content = card.locator("body").evaluate("(b) => Math.ceil(b.getBoundingClientRect().height)")
    assert content > 200  # taller than the frame the dashboard starts with
    expect(page.locator("#card-frame")).to_have_attribute("style", re.compile(
        rf"height: ?{content}px"))
    assert page.evaluate("window.resizes")[-1] == content


def test_the_card_follows_the_dashboards_theme_switch(open_card, shop):
    seed(shop, timezone.now())
    page, card = open_card("order", ORDER, theme="light")
    expect(card.locator("#widget-referred")).to_contain_text("alice@example.com")
    page.evaluate("window.switchTheme('dark')")
    expect(card.locator("html")).to_have_attribute("data-theme", "dark")
    background = card.locator("body").evaluate("(b) => getComputedStyle(b).backgroundColor")
    assert background == page.evaluate("getComputedStyle(document.body).backgroundColor")
