"""Orders a program skips: a program decides only on orders in its own currency.

A shop with channels in several currencies sends every order to the app; an order in another
currency than the program's is not an error to retry, it is outside the program. It is recorded
once (a redelivery finds it recorded) with a reason the merchant can read.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from plugin.rewards.models import SkippedOrder


def currency_mismatch(*, program_currency: str | None, order_currency: str,
                      program: str = "program") -> str | None:
    """The reason an order is outside a program ("order in PLN, program in USD"), or None."""
    if not program_currency or program_currency == order_currency:
        return None
    return f"order in {order_currency or 'an unknown currency'}, {program} in {program_currency}"


def order_skip_record(*, installation, order_id: str, number: str, program: str, reason: str,
                      at: datetime) -> SkippedOrder:
    """Records the skip once per order and program; a replay returns the row already there."""
    skipped, _created = SkippedOrder.objects.get_or_create(
        installation=installation, order_id=order_id, program=program,
        defaults={"number": number, "reason": reason, "skipped_at": at},
    )
    return skipped


def skipped_orders_by_reason(*, installation) -> list[dict[str, object]]:
    """How many orders were skipped for each reason, the most frequent first."""
    rows = (SkippedOrder.objects.filter(installation=installation).values("reason")
            .annotate(orders=Count("id")).order_by("-orders", "reason"))
    return [{"reason": row["reason"], "orders": row["orders"]} for row in rows]
