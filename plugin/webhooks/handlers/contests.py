"""Keeps leaderboards live: after an order event, rescore the order's referrer in open contests
(and the buyer, when they are a referrer whose own orders an entrant condition may read).

Listed after the rewards handler in the registry, so the customer order history this reads is
already updated for the delivery.
"""

from __future__ import annotations

from plugin.contests.models import Contest
from plugin.contests.services import contests_refresh_for_referrer
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode


def leaderboard_update(delivery) -> None:
    """Rescore the referrer behind this delivery's order, if the order was referred."""
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

