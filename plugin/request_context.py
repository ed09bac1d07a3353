"""Every request gets an id: in the `X-Request-Id` response header and in every log record.

An unhandled error is logged once, as one error record with the method, path, request id,
installation id (once a view has found it) and the exception, so a 500 can be found from the
id a merchant or Saleor reports. With DEBUG off the answer is a JSON 500 carrying the same id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

HEADER = "X-Request-Id"
# Exceptions Django itself answers with a 4xx: not errors of the app.
_ANSWERED_BY_DJANGO = (Http404, PermissionDenied, BadRequest, SuspiciousOperation,
                       MultiPartParserError)
# An id a proxy already gave the request is kept, if it is plainly an id (no log injection).
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

_context: ContextVar[dict[str, Any] | None] = ContextVar("request_context", default=None)
logger = logging.getLogger("plugin.requests")


def request_context() -> dict[str, Any]:
    """`request_id` and `installation_id` of the request being served (empty outside one)."""
    return dict(_context.get() or {})


def request_installation_bind(installation_id: int | None) -> None:
    """Called by a view once it knows the shop, so later records (and a crash) name it."""
    current = _context.get()
    if current is not None and installation_id is not None:
        current["installation_id"] = installation_id


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _context.set({"request_id": request_id})
        try:
            response = self.get_response(request)
        finally:
            _context.reset(token)
        response[HEADER] = request_id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, _ANSWERED_BY_DJANGO):
            return None
        context = _context.get() or {}
        request_id = getattr(request, "request_id", "")
        logger.error(
            "unhandled %s on %s %s", type(exception).__name__, request.method, request.path[:300],
            exc_info=(type(exception), exception, exception.__traceback__),
            extra={"request_id": request_id, "method": request.method,
                   "path": request.path[:300],
                   "installation_id": context.get("installation_id")},
        )
        if settings.DEBUG:
            return None  # Django's debug page (and its own log line) as usual
        # Listeners (the test client, error trackers) still hear of it; Django's own
        # "Internal Server Error" line would repeat the record above, so it is marked as logged.
        got_request_exception.send(sender=type(self), request=request)
        response = JsonResponse({"error": "internal error", "request_id": request_id}, status=500)
        response._has_been_logged = True
        return response


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `installation_id` to each record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        for name in ("request_id", "installation_id"):
            if getattr(record, name, None) is None:
                setattr(record, name, context.get(name))
        return True
