"""Keeps leaderboards live: after an order event, rescore the order's referrer in open contests
(and the buyer, when they are a referrer whose own orders an entrant condition may read).

Registered after the rewards handlers (the app comes later in INSTALLED_APPS), so the customer
order history this reads is already updated for the delivery.
"""

from __future__ import annotations

import logging

log = logging.getLogger("plugin.contests")

ORDER_EVENTS = (
    "ORDER_CREATED", "ORDER_PAID", "ORDER_FULLY_PAID", "ORDER_FULFILLED", "ORDER_CANCELLED",
    "ORDER_REFUNDED", "ORDER_FULLY_REFUNDED",
)


def leaderboard_update(delivery) -> None:
    """Rescore the referrer behind this delivery's order, if the order was referred."""
    from plugin.contests.models import Contest
    from plugin.contests.services import contests_refresh_for_referrer
    from plugin.referrals.models import CustomerOrder, Referral, ReferralCode

    installation = delivery.installation
    order_id = ((delivery.payload or {}).get("order") or {}).get("id")
    if not order_id or not Contest.objects.filter(
            installation=installation, status=Contest.Status.OPEN).exists():
        return
    referrer = (
        CustomerOrder.objects.filter(installation=installation, order_id=order_id)
        .exclude(referral=None)
        .values_list("referral__referrer_email", flat=True)
        .first()
    ) or Referral.objects.filter(installation=installation, order_id=order_id).values_list(
        "referrer_email", flat=True).first()
    if referrer:
        contests_refresh_for_referrer(installation=installation, referrer_email=referrer)
    # The buyer's own standing changed too: an `entrants … where referrer.orders >= 1` contest
    # may now let them in (or, after a cancellation, leave them out).
    buyer = CustomerOrder.objects.filter(installation=installation, order_id=order_id).values_list(
        "email", flat=True).first()
    if buyer and buyer != referrer and ReferralCode.objects.filter(
            installation=installation, owner_email=buyer).exists():
        contests_refresh_for_referrer(installation=installation, referrer_email=buyer)


def handlers_register() -> None:
    from plugin.webhooks.handlers import handled_events, register_handler

    for event in ORDER_EVENTS:
        if event in handled_events():
            register_handler(event, leaderboard_update)
