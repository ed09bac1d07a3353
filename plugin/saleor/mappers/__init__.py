"""Saleor payloads → the rules package's facts and the app's small reference values."""

from plugin.saleor.mappers.customers import (
    CustomerRef,
    customer_ref,
    referral_code_from_metadata,
    user_ref,
)
from plugin.saleor.mappers.events import (
    EventMeta,
    GiftCardEvent,
    VoucherChannelValue,
    VoucherCodeRef,
    VoucherEvent,
    event_meta,
    gift_card_event,
    voucher_event,
)
from plugin.saleor.mappers.orders import (
    CheckoutRef,
    OrderRef,
    checkout_facts,
    checkout_ref,
    order_facts,
    order_ref,
)
from plugin.saleor.money import PayloadError

__all__ = [
    "CheckoutRef",
    "CustomerRef",
    "EventMeta",
    "GiftCardEvent",
    "OrderRef",
    "PayloadError",
    "VoucherChannelValue",
    "VoucherCodeRef",
    "VoucherEvent",
    "checkout_facts",
    "checkout_ref",
    "customer_ref",
    "event_meta",
    "gift_card_event",
    "order_facts",
    "order_ref",
    "referral_code_from_metadata",
    "user_ref",
    "voucher_event",
]
