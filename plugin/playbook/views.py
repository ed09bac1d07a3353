"""The public unsubscribe page: GET asks (link scanners must not unsubscribe anyone), POST does
it (also the one-click POST of RFC 8058). The signed token is the only authority."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from plugin.install.models import Installation
from plugin.playbook.unsubscribe import unsubscribe_record, unsubscribe_token_read


@csrf_exempt  # the signed token, not a session, says who may do this
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    found = unsubscribe_token_read(token)
    installation = Installation.objects.filter(pk=found[0]).first() if found else None
    if found is None or installation is None:
        return HttpResponse("This unsubscribe link is not valid.", status=404,
                            content_type="text/plain; charset=utf-8")
    if request.method == "POST":
        unsubscribe_record(installation=installation, digest=found[1])
    response = render(request, "playbook/unsubscribe.html", {"done": request.method == "POST"})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
