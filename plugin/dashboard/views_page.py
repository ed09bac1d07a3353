"""The dashboard page shell and its assets, served by the app itself under a strict CSP.

The page holds no data and needs no token: it gets the staff user's token from Saleor's
dashboard by postMessage and sends it in a header with every API call.
"""

from __future__ import annotations

import mimetypes
import re
from importlib import resources

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

# Package data: the bundle `scripts/build-assets` writes, shipped in the wheel with the code.
ASSETS_DIR = resources.files(__package__) / "static" / "dashboard"
ASSET_NAMES = frozenset({"app.js", "app.js.map", "widget.js", "widget.js.map", "app.css",
                         "theme.css", "harness.js", "harness.css"})
# The Inter files theme.css names (one per script subset and weight), bundled at build time.
FONT_NAME = re.compile(r"inter-[a-z]+(?:-ext)?-[0-9]{3}-normal\.woff2")

# Scripts and styles only from the app; styles may be injected by the editor at run time.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def secure_page(response: HttpResponse, *, csp: str = PAGE_CSP) -> HttpResponse:
    response["Content-Security-Policy"] = csp
    response["Referrer-Policy"] = "same-origin"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def page_config(request: HttpRequest) -> dict:
    config = {"apiBase": reverse("dashboard:api-root").rstrip("/")}
    if settings.DEBUG:
        config["devEntry"] = reverse("dashboard:dev")  # shown when opened outside a dashboard
    return config


def dashboard_page(request: HttpRequest) -> HttpResponse:
    """What Saleor's dashboard loads in its iframe (`?saleorApiUrl=…&id=…&theme=…`)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    theme = "dark" if request.GET.get("theme") == "dark" else "light"
    response = render(request, "dashboard/page.html",
                      {"config": page_config(request), "theme": theme})
    return secure_page(response)


def dashboard_section_page(request: HttpRequest, area: str, section: str) -> HttpResponse:
    """The same page, loaded on one of its sections; the page reads which from its path."""
    return dashboard_page(request)


def dashboard_asset(request: HttpRequest, name: str) -> FileResponse:
    """The bundled scripts and styles; only the known names, never a path from the request."""
    is_font = FONT_NAME.fullmatch(name) is not None
    if name not in ASSET_NAMES and not is_font:
        raise Http404("no such asset")
    path = ASSETS_DIR / name
    if not path.is_file():
        raise Http404(f"{name} is not built: run scripts/build-assets")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".map"):
        content_type = "application/json"
    if is_font:
        content_type = "font/woff2"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # revalidate what changes between builds; a font file's name already says its content
    response["Cache-Control"] = "public, max-age=604800" if is_font else "no-cache"
    return response
