"""Fixtures for the rewards tests: a stateful Saleor for gift cards/vouchers and reward makers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rewards_testing import T0

from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.services import reward_create
from plugin.saleor.fake_rewards import RewardsSaleorState


@pytest.fixture
def shop(fake_saleor) -> RewardsSaleorState:
    """What exists in the (fake) Saleor: gift cards and vouchers the outbox made."""
    return RewardsSaleorState().install(fake_saleor)


@pytest.fixture
def client_for(fake_saleor):
    return lambda _installation: fake_saleor.client(retries=0)


@pytest.fixture
def make_reward(captured_installation):
    """A decided reward (as the order use case would record it), without running a program."""
    counter = iter(range(1, 10_000))

    def make(
        *,
        kind: str = "money",
        amount: str | None = "10.00",
        points: int | None = None,
        state: str = RewardState.PENDING,
        order_id: str = "order-1",
        hold_days: int = 0,
        hold_after: str = "fulfillment",
        email: str = "alice.referrer@example.com",
        customer_id: str = "VXNlcjo0Ng==",
        voucher_type: str = "",
        expires_days: int | None = None,
        product: str = "",
    ):
        fields = {
            "order_id": order_id,
            "order_number": "21",
            "channel": "default-channel",
            "rule_line": 7,
            "rule_label": "referrer reward",
            "trigger": "order paid",
            "recipient_role": "referrer",
            "recipient_email": email,
            "recipient_customer_id": customer_id,
            "kind": kind,
            "delivery": "gift_card",
            "voucher_type": voucher_type,
            "amount": Decimal(amount) if amount is not None else None,
            "currency": "USD" if amount is not None else "",
            "points": points,
            "hold_days": hold_days,
            "hold_after": hold_after,
            "expires_days": expires_days,
            "product": product,
        }
        reward, created = reward_create(
            installation=captured_installation,
            key=f"test:{next(counter)}",
            fields=fields,
            action=EntryAction.DECIDED,
            state=state,
            now=T0,
            cause_event="ORDER_FULLY_PAID",
        )
        assert created
        return reward

    return make
