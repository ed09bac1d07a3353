"""The page shell, its assets and the development-only entry (DEBUG, demo shop, this machine)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from plugin.dashboard.auth import authenticate
from plugin.install.demo import demo_installation_seed

pytestmark = pytest.mark.django_db


def test_page_is_served_with_a_strict_csp_and_no_token(client):
    response = client.get("/dashboard/?saleorApiUrl=https%3A%2F%2Fx%2Fgraphql%2F&id=QXBwOjE%3D"
                          "&theme=dark")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    html = response.content.decode()
    assert 'data-theme="dark"' in html
    assert "/dashboard/assets/app.js" in html
    assert "/dashboard/assets/theme.css" in html  # Saleor's design tokens, before app.css
    assert html.index("theme.css") < html.index("app.css")
    assert "http://" not in html.replace('href="data:,"', "")  # nothing from another site


def test_page_is_served_at_the_url_the_dashboard_builds_without_a_redirect(client):
    # Saleor's dashboard joins the extension's "/" to appUrl `…/dashboard/` as `…/dashboard?…`
    response = client.get("/dashboard?domain=x&saleorApiUrl=https%3A%2F%2Fx%2Fgraphql%2F"
                          "&id=QXBwOjE%3D&theme=light")
    assert response.status_code == 200
    assert "/dashboard/assets/app.js" in response.content.decode()
    assert "Content-Security-Policy" in response


def test_only_known_assets_are_served(client):
    assert client.get("/dashboard/assets/app.css").status_code == 200
    assert client.get("/dashboard/assets/harness.js")["Content-Type"].startswith("text/javascript")
    assert client.get("/dashboard/assets/settings.py").status_code == 404
    assert client.get("/dashboard/assets/..%2Fviews_page.py").status_code == 404
    for near_font in ["inter-latin-400-normal.woff2.py", "inter-..-400-normal.woff2",
                      "roboto-latin-400-normal.woff2", "inter-latin-400-normal.woff"]:
        assert client.get(f"/dashboard/assets/{near_font}").status_code == 404, near_font


@pytest.fixture
def demo(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.DEMO_SALEOR_API_URL = "http://demo.saleor.localhost/graphql/"
    installation, _ = demo_installation_seed()
    return installation


def test_dev_entry_does_not_exist_without_debug(client, demo, settings):
    settings.DEBUG = False
    assert client.get("/dashboard/dev/").status_code == 404
    assert client.post("/dashboard/dev/token").status_code == 404


def test_dev_entry_frames_the_page_for_the_demo_shop(client, demo, settings):
    settings.DEBUG = True
    response = client.get("/dashboard/dev/", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "saleorApiUrl=http%3A%2F%2Fdemo.saleor.localhost%2Fgraphql%2F" in body
    assert "harness.js" in body


def test_dev_token_is_a_real_token_that_passes_verification(client, demo, settings, rf):
    settings.DEBUG = True
    assert client.get("/dashboard/dev/token", REMOTE_ADDR="127.0.0.1").status_code == 405
    minted = client.post("/dashboard/dev/token", REMOTE_ADDR="127.0.0.1").json()
    assert minted["lifetime"] == 300
    request = rf.get("/dashboard/api/program", headers={
        "authorization-bearer": minted["token"], "saleor-api-url": demo.saleor_api_url})
    installation, user = authenticate(request)
    assert installation == demo
    assert user.email == "merchant@demo.localhost"


def test_dev_token_refuses_other_machines_and_other_sites(client, demo, settings):
    settings.DEBUG = True
    assert client.post("/dashboard/dev/token", REMOTE_ADDR="10.1.2.3").status_code == 404
    cross_site = client.post("/dashboard/dev/token", REMOTE_ADDR="127.0.0.1",
                             headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403


def test_dev_entry_needs_the_demo_installation(client, settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    assert client.get("/dashboard/dev/", REMOTE_ADDR="127.0.0.1").status_code == 404


@override_settings(DEBUG=True)
def test_dev_token_is_only_for_the_demo_shop(client, demo, shop, signer):
    # A real shop's page can never get a token from here: the token is the demo Saleor's.
    token = client.post("/dashboard/dev/token", REMOTE_ADDR="127.0.0.1").json()["token"]
    response = client.get("/dashboard/api/program", headers={
        "authorization-bearer": token, "saleor-api-url": shop.saleor_api_url})
    assert response.status_code == 401
