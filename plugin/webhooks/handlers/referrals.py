"""Plugs the referral use cases into the webhook handler registry (checkout and customer events)."""

from __future__ import annotations

from plugin.use_cases import attribution, checkout_discount
from plugin.webhooks.handlers import register_handler

CHECKOUT_EVENTS = ("CHECKOUT_CREATED", "CHECKOUT_UPDATED")
CUSTOMER_EVENTS = ("CUSTOMER_CREATED", "ACCOUNT_CONFIRMED", "CUSTOMER_METADATA_UPDATED")

for _event in CHECKOUT_EVENTS:
    # it calls Saleor step by step, recording each step as it goes (see plugin.referrals.locks)
    register_handler(_event, checkout_discount.handle_checkout_delivery, own_transactions=True)
for _event in CUSTOMER_EVENTS:
    register_handler(_event, attribution.handle_customer_delivery)
