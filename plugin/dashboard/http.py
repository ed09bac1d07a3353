"""JSON in and out for the dashboard's endpoints: bounded bodies, errors with a reason."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from plugin.json_input import JsonRefused, json_loads_bounded

MAX_BODY_BYTES = 512 * 1024


class BadRequest(Exception):
    """A request that can never succeed as sent; answered with `status` and the reason."""

    def __init__(self, reason: str, status: int = 400, **extra: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.extra = extra


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object, or BadRequest naming what is wrong with it."""
    if len(request.body) > MAX_BODY_BYTES:
        raise BadRequest(f"request body is larger than {MAX_BODY_BYTES} bytes", status=413)
    if not request.body:
        return {}
    try:
        data = json_loads_bounded(request.body)
    except JsonRefused as exc:
        raise BadRequest(f"request body {exc.reason}") from exc
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    return data


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "string", int: "integer", float: "number", bool: "boolean", list: "list",
             dict: "object"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], *,
          required: bool = True, default: Any = None) -> Any:
    """One typed field of a JSON body (`kind` a type or a tuple of types)."""
    if name not in data or data[name] is None:
        if required:
            raise BadRequest(f"field {name!r} is required")
        return default
    value = data[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadRequest(f"field {name!r} must be an integer")
    if not isinstance(value, kind):
        raise BadRequest(f"field {name!r} must be a {_kind_name(kind)}")
    return value


def int_param(request: HttpRequest, name: str, *, default: int | None, low: int,
              high: int) -> int:
    """An integer query parameter within bounds; required when `default` is None."""
    raw = request.GET.get(name)
    if raw in (None, ""):
        if default is None:
            raise BadRequest(f"query parameter {name!r} is required")
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"query parameter {name!r} must be an integer") from exc
    if not low <= value <= high:
        raise BadRequest(f"query parameter {name!r} must be between {low} and {high}")
    return value


def error_response(reason: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": reason, **extra}, status=status)
