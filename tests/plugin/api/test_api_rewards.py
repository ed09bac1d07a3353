"""The storefront's view of the rewards ledger: earnings, rewards, points and redeeming them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.rewards.services import points_credit, reward_create, reward_transition

pytestmark = pytest.mark.django_db
BOB = {"recipient_customer_id": "VXNlcjo0Nw==", "recipient_email": "bob.friend@example.com"}


def _reward(shop, key, *, state, **fields):
    reward, _ = reward_create(
        installation=shop,
        key=key,
        action="decided",
        state="held",
        now=timezone.now(),
        fields={"recipient_role": "referrer", "order_number": "21", **BOB, **fields},
    )
    if state != "held":
        reward_transition(
            reward=reward, from_states=["held"], action="issued", state=state, now=timezone.now()
        )
    return reward


def test_my_referral_earnings_count_issued_money_only(gql, shop, customer_token):
    _reward(shop, "a", state="issued", kind="money", amount=Decimal("20.00"), currency="USD")
    _reward(shop, "b", state="issued", kind="money", amount=Decimal("5.50"), currency="USD")
    _reward(shop, "c", state="held", kind="money", amount=Decimal("50.00"), currency="USD")
    answer = gql(
        "{ myReferral { referral { earnings { amount currency } } errors { code } } }",
        token=customer_token(),
    )
    assert answer["data"]["myReferral"] == {
        "referral": {"earnings": [{"amount": "25.50", "currency": "USD"}]},
        "errors": [],
    }
    rewards = gql(
        "{ myRewards { rewards { kind state amount { amount } orderNumber } errors { code } } }",
        token=customer_token(),
    )["data"]["myRewards"]
    assert rewards["errors"] == []
    assert sorted((r["state"], r["amount"]["amount"]) for r in rewards["rewards"]) == [
        ("held", "50.00"),
        ("issued", "20.00"),
        ("issued", "5.50"),
    ]


def test_points_can_be_redeemed_for_a_voucher_code(gql, shop, customer_token):
    reward = _reward(shop, "p", state="issued", kind="points", points=300)
    points_credit(reward=reward, points=300, now=timezone.now())
    token = customer_token()
    assert gql("{ pointsBalance { points errors { code } } }", token=token)["data"][
        "pointsBalance"
    ] == {"points": 300, "errors": []}
    redeem = gql(
        "mutation($p: Int!) { redeemPoints(points: $p) { voucherCode points errors { code } } }",
        {"p": 100},
        token=token,
    )["data"]["redeemPoints"]
    assert redeem["errors"] == [] and redeem["points"] == 200
    assert redeem["voucherCode"].startswith("PTS-")
    too_many = gql(
        "mutation { redeemPoints(points: 500) { voucherCode errors { code field } } }", token=token
    )["data"]["redeemPoints"]
    assert too_many == {
        "voucherCode": None,
        "errors": [{"code": "NOT_ENOUGH_POINTS", "field": "points"}],
    }
    negative = gql("mutation { redeemPoints(points: -5) { errors { code } } }", token=token)
    assert negative["data"]["redeemPoints"]["errors"] == [{"code": "INVALID_INPUT"}]


def test_another_shoppers_token_sees_nothing_of_bob(gql, shop, customer_token):
    _reward(shop, "a", state="issued", kind="money", amount=Decimal("20.00"), currency="USD")
    carol = customer_token(user_id="VXNlcjo0OA==", email="carol.app-created@example.com")
    assert gql("{ myRewards { rewards { id } errors { code } } }", token=carol)["data"][
        "myRewards"
    ] == {"rewards": [], "errors": []}
