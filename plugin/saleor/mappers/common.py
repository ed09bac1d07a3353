"""Small readers shared by the payload mappers: metadata, dates, e-mails, unwrapping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plugin.saleor.money import PayloadError

MAX_CODE_LENGTH = 64


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


def metadata_dict(items: Any) -> dict[str, str]:
    """`[{"key": k, "value": v}, …]` (or already a dict) → `{k: v}`; None → `{}`."""
    if items is None:
        return {}
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    if not isinstance(items, list):
        raise PayloadError("metadata is not a list")
    result: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise PayloadError("metadata item without a key")
        result[item["key"]] = str(item.get("value") or "")
    return result


def clean_code(value: str | None) -> str | None:
    """A referral code as typed, trimmed; None when empty, too long or not printable."""
    if value is None:
        return None
    code = value.strip()
    if not code or len(code) > MAX_CODE_LENGTH or not code.isprintable():
        return None
    return code


def normalise_email(value: Any) -> str | None:
    """Trimmed and lower-cased, so `Bob@Example.com ` and `bob@example.com` are one person."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    return email if "@" in email else None


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
