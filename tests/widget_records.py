"""Records the customer and order cards show: Alice's code referred Bob, whose order earned
Alice money (held) and points (issued). Shared by the card endpoint and browser tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from plugin.referrals.models import Referral
from plugin.referrals.services import referral_code_create
from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.services import points_credit, reward_create

ALICE, BOB = "VXNlcjox", "VXNlcjoy"  # Saleor user ids
ORDER = "T3JkZXI6ZjM0"


def seed(shop, now: datetime):
    """Alice's code referred Bob, whose order earned Alice 10 USD (held) and 200 points."""
    code = referral_code_create(installation=shop, customer_id=ALICE, email="alice@example.com",
                                name="Alice")
    referral = Referral.objects.create(
        installation=shop, code=code, referrer_id=ALICE, referrer_email="alice@example.com",
        referee_id=BOB, referee_email="bob@example.com", source=Referral.Source.METADATA,
        order_id=ORDER, status=Referral.Status.CONVERTED, created=now - timedelta(days=3))
    money, _ = reward_create(
        installation=shop, key="o:1:referrer", now=now, action=EntryAction.HELD,
        state=RewardState.HELD, fields={
            "recipient_role": "referrer", "recipient_email": "alice@example.com",
            "recipient_customer_id": ALICE, "kind": "money", "delivery": "gift_card",
            "amount": "10.00", "currency": "USD", "order_id": ORDER, "order_number": "34",
            "referral_id": referral.pk, "rule_label": "friend's first order"})
    points, _ = reward_create(
        installation=shop, key="o:1:points", now=now, action=EntryAction.ISSUED,
        state=RewardState.ISSUED, fields={
            "recipient_role": "referrer", "recipient_email": "alice@example.com",
            "recipient_customer_id": ALICE, "kind": "points", "points": 200, "order_id": ORDER,
            "order_number": "34", "referral_id": referral.pk})
    points_credit(reward=points, points=200, now=now)
    return code, money
