"""Small readers shared by the payload mappers: unwrapping, dates, slugs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plugin.saleor.money import PayloadError


def unwrap(payload: Any, key: str) -> dict[str, Any]:
    """The object under `key` of an event payload, or the payload itself if it is that object."""
    if not isinstance(payload, dict):
        raise PayloadError(f"expected an object, got {type(payload).__name__}")
    if key in payload and ("__typename" in payload or "id" not in payload):
        inner = payload[key]
        if not isinstance(inner, dict):
            raise PayloadError(f"payload has no {key} (it is {inner!r})")
        return inner
    if "id" not in payload:
        raise PayloadError(f"payload has no {key}")
    return payload


def parse_datetime(value: Any) -> datetime | None:
    """ISO-8601 with offset, as Saleor sends (`2026-11-22T18:58:30.540654+00:00`)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"not a date-time: {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise PayloadError(f"not a date-time: {value!r}") from exc
    if moment.tzinfo is None:
        raise PayloadError(f"date-time without an offset: {value!r}")
    return moment


def slug_of(value: Any) -> str | None:
    return value.get("slug") if isinstance(value, dict) else None
