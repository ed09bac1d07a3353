"""The benchmark baseline: a bare Django view answering 200, served exactly like the app."""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-baseline",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
)


@csrf_exempt
def accept(request: HttpRequest, family: str) -> HttpResponse:
    _ = request.body  # read the delivery like the real view does
    return HttpResponse(b'{"status": "accepted"}', content_type="application/json")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok")


urlpatterns = [path("api/webhooks/<slug:family>", accept), path("healthz", healthz)]
application = get_wsgi_application()
