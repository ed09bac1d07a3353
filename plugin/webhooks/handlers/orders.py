"""The first step of every order event: a retried delivery reads its order again from Saleor.

The handlers after it in the registry read `delivery.payload`; on a retry (a second attempt, or
one requeued after a failure) that payload is replaced, in memory only, by the order as Saleor
has it now, so an order refunded or cancelled since the first attempt is not rewarded as paid.
The stored delivery keeps what Saleor sent.
"""

from __future__ import annotations

from typing import Any

from plugin.install.selectors import installation_client
from plugin.use_cases.order_reread import order_reread


def delivery_is_retry(delivery: Any) -> bool:
    return getattr(delivery, "attempts", 1) > 1 or bool(getattr(delivery, "last_error", ""))


def order_reread_on_retry(delivery: Any) -> None:
    if not delivery_is_retry(delivery):
        return
    client = installation_client(installation=delivery.installation)
    fresh = order_reread(client=client, payload=delivery.payload or {})
    # An order Saleor no longer has: the handlers after this find no order and do nothing.
    delivery.payload = fresh if fresh is not None else {**delivery.payload, "order": None}
