"""Saleor payloads → the rules package's facts and the few plain values the use cases need.

`orders` maps orders and checkouts to `OrderFacts` (strict: money through the rules' one door);
`subjects` reads who and what a delivery is about (lenient). Money is read in `plugin.saleor.money`.
"""

from plugin.saleor.mappers.orders import checkout_facts, order_facts
from plugin.saleor.mappers.subjects import (
    currency_of,
    customer_of,
    metadata_of,
    order_is_paid,
    subject_of,
)
from plugin.saleor.money import PayloadError

__all__ = [
    "PayloadError",
    "checkout_facts",
    "currency_of",
    "customer_of",
    "metadata_of",
    "order_facts",
    "order_is_paid",
    "subject_of",
]
