"""Browser tests: Debian's Chromium driven by Playwright, the app on pytest-django's live server,
and a stand-in of Saleor's dashboard (another origin) that speaks the App Bridge to the page."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from plugin.install.http import use_saleor_transport
from plugin.install.models import Installation
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.testing import TestSigner

REPO = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = REPO / "test-artifacts"
ASSETS = REPO / "plugin" / "dashboard" / "static" / "dashboard"
BUNDLE = ASSETS / "app.js"
THEME = ASSETS / "theme.json"  # written with theme.css by the same build
WIDGET = ASSETS / "widget.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOP_URL = "https://shop-e2e.example.com/graphql/"
APP_ID = "QXBwOjk="

# Playwright's sync API keeps an event loop on the test thread; Django would refuse database
# calls there. The tests and the live server use the database from plain threads only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        return  # the tests run and fail on the missing browser, as they must
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (set REQUIRE_BROWSER=1 to fail)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def bundle() -> Path:
    """The dashboard bundle, built once if this checkout has not built it yet."""
    built = (BUNDLE, THEME, WIDGET)
    if not all(path.exists() for path in built):
        subprocess.run([str(REPO / "scripts" / "build-assets")], check=True, cwd=REPO)
    assert all(path.exists() for path in built), "scripts/build-assets did not build the dashboard"
    return BUNDLE


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def signer() -> TestSigner:
    return TestSigner()


@pytest.fixture
def shop(transactional_db, signer) -> Installation:
    return Installation.objects.create(saleor_api_url=SHOP_URL, domain="shop-e2e.example.com",
                                       app_id=APP_ID, jwks=signer.jwks)


@pytest.fixture
def fake_saleor() -> Iterator[FakeSaleor]:
    """The shop's Saleor: the captured one's orders; the app never reaches the network."""
    fake = FakeSaleor(api_url=SHOP_URL)
    with use_saleor_transport(fake.transport):
        yield fake


def harness_html(*, app_base: str, token: str, theme: str = "light") -> str:
    query = urlencode({"domain": "shop-e2e.example.com", "saleorApiUrl": SHOP_URL, "id": APP_ID,
                       "theme": theme, "locale": "en"})
    config = {"frameUrl": f"{app_base}/dashboard/?{query}", "token": token, "theme": theme}
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Saleor dashboard</title>
<link rel="stylesheet" href="{app_base}/dashboard/assets/harness.css"></head><body>
<header class="harness-bar"><strong>Saleor</strong><span>stand-in dashboard</span></header>
<div id="harness-toasts"></div><div id="harness-frame-host"></div>
<script type="application/json" id="harness-config">{json.dumps(config)}</script>
<script src="{app_base}/dashboard/assets/harness.js"></script></body></html>"""


class _DashboardServer:
    """The stand-in dashboard's own web server on 127.0.0.1 (the app is `localhost`): another
    origin than the app, as Saleor's dashboard is, and a real loopback one, so Chromium's
    local-network rules treat the pair as they treat a developer's Saleor and app."""

    def __init__(self) -> None:
        pages: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                # `/extensions/app/<n>/<the app's route>` is page n, as in Saleor's dashboard
                body = pages.get("/".join(self.path.split("?")[0].split("/")[:4]))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, *_args) -> None:
                pass

        self.pages = pages
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, html: str) -> str:
        path = f"/extensions/app/{len(self.pages) + 1}"
        self.pages[path] = html.encode("utf-8")
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def dashboard_server() -> Iterator[_DashboardServer]:
    server = _DashboardServer()
    yield server
    server.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test reports what the app showed: which section was open, its text,
    and the page's script errors and console messages, so a failure elsewhere explains itself."""
    report = yield
    pages = getattr(item, "dashboard_pages", [])
    if report.when == "call" and report.failed and pages:
        for number, page in enumerate(pages, start=1):
            report.sections.append((f"dashboard page {number}", _describe(page)))
    return report


def _describe(page) -> str:
    lines = [f"page errors: {page.errors or 'none'}", f"console: {page.console[-20:] or 'none'}"]
    frame = next((f for f in page.frames if f is not page.main_frame), None)
    if frame is None:
        return "\n".join([*lines, "no app frame"])
    try:
        state = frame.evaluate("""() => ({
            url: location.href,
            selected: [...document.querySelectorAll('[role=tab][aria-selected=true]')]
                .map((tab) => tab.textContent),
            section: (document.getElementById('section') || document.body).innerText.slice(0, 1500),
        })""")
    except Exception as error:  # the frame may be gone; say so rather than hide the failure
        return "\n".join([*lines, f"app frame unreadable: {error}"])
    return "\n".join([*lines, f"frame url: {state['url']}", f"selected tabs: {state['selected']}",
                      "section text:", state["section"]])


@pytest.fixture
def open_dashboard(request, chromium, live_server, bundle, shop, fake_saleor, signer,
                   dashboard_server):
    """Opens the app inside the stand-in dashboard with `token` (a fresh valid one by default);
    returns (page, app frame)."""
    contexts = []
    request.node.dashboard_pages = []

    def open_(token: str | None = None, *, theme: str = "light", width: int = 1360,
              height: int = 900):
        token = token or signer.mint_dashboard_token(
            saleor_api_url=SHOP_URL, app_id=APP_ID, email="ann@shop-e2e.example.com")
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        page.console = []
        page.on("console", lambda message: page.console.append(f"{message.type}: {message.text}"))
        page.on("response", lambda response: response.status >= 400 and page.console.append(
            f"http {response.status}: {response.request.method} {response.url}"))
        request.node.dashboard_pages.append(page)
        html = harness_html(app_base=live_server.url, token=token, theme=theme)
        page.goto(dashboard_server.serve(html))
        frame = page.frame_locator("#app-frame")
        return page, frame

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """Saves a screenshot under test-artifacts/ (look at them: they show what a merchant sees)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"dashboard-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
