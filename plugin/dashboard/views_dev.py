"""Development-only entry: the dashboard page inside a stand-in of Saleor's dashboard.

Only with DEBUG on, only for the demo installation, only from this machine. The stand-in mints
a short-lived token with the demo Saleor's key and hands it over by postMessage, exactly as
Saleor does; the page then sends it in the header and it is verified like any other token.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from plugin.dashboard.views_page import secure_page
from plugin.install.demo import demo_signer
from plugin.install.selectors import installation_get_by_api_url

DEV_TOKEN_LIFETIME = 300  # seconds, as Saleor's own dashboard tokens
DEV_USER_ID = "VXNlcjox"  # User:1 of the pretend Saleor
DEV_USER_EMAIL = "merchant@demo.localhost"
HARNESS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'"
)


def _is_loopback(request: HttpRequest) -> bool:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _demo_installation_or_404(request: HttpRequest):
    if not settings.DEBUG or not _is_loopback(request):
        raise Http404("the development entry exists only with DEBUG on this machine")
    installation = installation_get_by_api_url(saleor_api_url=settings.DEMO_SALEOR_API_URL)
    if installation is None:
        raise Http404("no demo installation: run `manage.py seed_demo`")
    return installation


def dev_entry(request: HttpRequest) -> HttpResponse:
    """The page as Saleor's dashboard would frame it, with the demo installation's parameters."""
    installation = _demo_installation_or_404(request)
    theme = "dark" if request.GET.get("theme") == "dark" else "light"
    query = urlencode({
        "domain": installation.domain,
        "saleorApiUrl": installation.saleor_api_url,
        "id": installation.app_id,
        "theme": theme,
        "locale": "en",
    })
    config = {
        "frameUrl": f"{reverse('dashboard:page')}?{query}",
        "tokenUrl": reverse("dashboard:dev-token"),
        "theme": theme,
    }
    response = render(request, "dashboard/dev.html", {"config": config})
    return secure_page(response, csp=HARNESS_CSP)


def dev_token(request: HttpRequest) -> JsonResponse:
    """A fresh 5-minute dashboard token for the demo installation, signed with the demo key."""
    installation = _demo_installation_or_404(request)
    if request.method != "POST":
        return JsonResponse({"error": "use POST"}, status=405, headers={"Allow": "POST"})
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
        return JsonResponse({"error": "only the development entry may ask"}, status=403)

    token = demo_signer().mint_dashboard_token(
        saleor_api_url=installation.saleor_api_url,
        app_id=installation.app_id,
        user_id=DEV_USER_ID,
        email=DEV_USER_EMAIL,
        lifetime=DEV_TOKEN_LIFETIME,
    )
    response = JsonResponse({"token": token, "lifetime": DEV_TOKEN_LIFETIME})
    response["Cache-Control"] = "no-store"
    return response
