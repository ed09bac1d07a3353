"""A retried order delivery acts on the order as Saleor has it now, not on the delivered one.

Between a failed attempt and its retry the order may have been refunded or cancelled; Saleor is
the source of truth, and a query is safe to repeat. The fresh order replaces the delivered one
field by field: what the app asks for is fresh, what it never asks for stays as delivered.
"""

from __future__ import annotations

from typing import Any

from plugin.saleor.mappers.subjects import subject_of


def order_reread(*, client: Any, payload: dict) -> dict | None:
    """The delivery's payload with the order as Saleor has it now; None once it is gone."""
    order = subject_of(payload)
    if not order.get("id"):
        return payload
    fresh = (client.execute("order_reread", {"id": order["id"]}) or {}).get("order")
    if not fresh:
        return None
    return {**payload, "order": {**order, **fresh}}
