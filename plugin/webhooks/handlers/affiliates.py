"""Order events → a partner's commission: attribute the order to the partner whose code it
carries and decide their commission. Listed right after the rewards handler in the registry, so
what the ledger knows about the order is updated for the delivery first."""

from __future__ import annotations

from plugin.use_cases.affiliate_commission import order_commission_process


def order_event_affiliates(delivery) -> None:
    """Idempotent: a replayed delivery attributes and decides nothing twice."""
    order_commission_process(installation=delivery.installation, event=delivery.event,
                             payload=delivery.payload,
                             delivery_id=str(getattr(delivery, "pk", "") or ""))
