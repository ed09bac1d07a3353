"""A captured payload as a channel in another currency would send it."""

from __future__ import annotations

from typing import Any


def in_currency(value: Any, currency: str) -> Any:
    """The payload with every currency code (`currency`, `currencyCode`) replaced."""
    if isinstance(value, dict):
        return {key: currency if key in ("currency", "currencyCode") and isinstance(item, str)
                else in_currency(item, currency) for key, item in value.items()}
    if isinstance(value, list):
        return [in_currency(item, currency) for item in value]
    return value
