"""Every dashboard route in the whole URLconf, so tests over "all endpoints" cannot miss one."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver


def dashboard_routes(patterns=None, prefix: str = "", namespace: str = ""):
    """(url name, view, {converter kind: argument}) for every route under /dashboard/."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from dashboard_routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and route.startswith("dashboard/"):
            assert namespace == "dashboard", f"{route} is outside the dashboard namespace"
            yield pattern.name, pattern.callback, dict(re.findall(r"<(\w+):(\w+)>", route))


def token_routes():
    """The JSON API routes (those behind the dashboard token)."""
    return sorted((row for row in dashboard_routes() if hasattr(row[1], "allowed_methods")),
                  key=lambda row: row[0])
