"""Turning the language's reports and results into plain JSON for storage and for the dashboard."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from rules.facts.money import Money


def to_jsonable(value: Any) -> Any:
    """A JSON-safe copy: money as {"amount": "12.50", "currency": "USD"}, decimals as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):  # only reached by non-money figures such as ratios
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "to_json") and callable(value.to_json):
        return to_jsonable(value.to_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    return str(value)


def diagnostic_json(diagnostic: Any) -> dict[str, Any]:
    """One checker diagnostic with its position, as the editor shows it inline."""
    return {
        "severity": to_jsonable(getattr(diagnostic, "severity", "error")),
        "message": diagnostic.message,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "end_line": getattr(diagnostic, "end_line", None) or diagnostic.line,
        "end_column": getattr(diagnostic, "end_column", None) or diagnostic.column,
        "hint": getattr(diagnostic, "hint", None),
    }


def example_json(result: Any) -> dict[str, Any]:
    """One in-file `example` block's outcome."""
    return {
        "name": result.name,
        "passed": bool(result.passed),
        "message": result.message,
        "line": result.line,
    }
