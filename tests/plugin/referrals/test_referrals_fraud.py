"""Self-referral is refused (user, e-mail, address); velocity and leaked codes go to review."""

from __future__ import annotations

import pytest

from plugin.referrals.fraud import fraud_check
from plugin.referrals.models import Referral
from plugin.referrals.selectors import referrals_in_review
from plugin.referrals.services import (
    customer_order_record,
    referral_attribute,
    referral_review_decide,
    referral_settings_update,
)
from plugin.use_cases.attribution import customer_referral_sync

pytestmark = pytest.mark.django_db
ALICE = "VXNlcjo0Ng=="


def _checkout_by(captured, *, email, user=None, checkout_id="Q2hlY2tvdXQ6c2VsZg==", address=None):
    checkout = captured("CHECKOUT_UPDATED", 6)["checkout"]  # metadata referral_code=ALICE-REF
    checkout.update(id=checkout_id, email=email, user=user)
    if address is not None:
        checkout["shippingAddress"] = address
    return checkout


@pytest.mark.parametrize(
    ("email", "user", "reason"),
    [
        (
            "alice.referrer@example.com",
            {"id": ALICE, "email": "alice.referrer@example.com"},
            "self_referral_same_user",
        ),
        ("Alice.Referrer+2nd@Example.com", None, "self_referral_same_email"),
    ],
)
def test_self_referral_by_user_or_email_is_refused(
    installation, alice, captured, email, user, reason
):
    referral = referral_attribute(
        installation=installation,
        payload=_checkout_by(captured, email=email, user=user),
        kind="checkout",
    )
    assert (referral.status, referral.refusal_reason) == ("refused", reason)
    verdict = fraud_check(installation=installation, referral=referral, order_payload=None)
    assert (verdict.verdict, verdict.reason) == ("refuse", reason)


def test_gmail_dots_do_not_hide_a_self_referral(installation, captured):
    customer_referral_sync(
        installation=installation,
        payload={**captured("CUSTOMER_CREATED", 1)["user"], "email": "alice.referrer@gmail.com"},
    )
    referral = referral_attribute(
        installation=installation,
        payload=_checkout_by(captured, email="AliceReferrer+deal@googlemail.com"),
        kind="checkout",
    )
    assert (referral.status, referral.refusal_reason) == ("refused", "self_referral_same_email")


def test_same_shipping_address_as_the_referrer_is_refused(installation, alice, captured):
    own_order = captured("ORDER_FULLY_PAID", 1)["order"]
    own_order.update(
        id="T3JkZXI6YWxpY2U=",
        userEmail="alice.referrer@example.com",
        user={"id": ALICE, "email": "alice.referrer@example.com"},
    )
    customer_order_record(installation=installation, order_payload=own_order, status="paid")
    sock_puppet = _checkout_by(
        captured,
        email="totally.new@example.com",
        address={**own_order["shippingAddress"], "firstName": "Someone", "city": "Mountain View"},
    )
    referral = referral_attribute(installation=installation, payload=sock_puppet, kind="checkout")
    assert (referral.status, referral.refusal_reason) == ("refused", "self_referral_same_address")


def test_a_real_friend_passes(installation, alice, captured):
    referral = referral_attribute(
        installation=installation, payload=captured("CHECKOUT_UPDATED", 6), kind="checkout"
    )
    assert referral.status == "attributed"
    verdict = fraud_check(
        installation=installation, referral=referral, order_payload=captured("ORDER_FULLY_PAID", 1)
    )
    assert verdict.ok and verdict.reason == ""


def _checkouts_by_many(installation, captured, *, who: str, count: int) -> list[Referral]:
    """`count` checkouts with ALICE-REF, each by another shopper (`<who><n>@example.com`)."""
    return [
        referral_attribute(
            installation=installation,
            kind="checkout",
            payload=_checkout_by(
                captured, email=f"{who}{n}@example.com", checkout_id=f"Q2hlY2tvdXQ6{n}"
            ),
        )
        for n in range(count)
    ]


def test_velocity_sends_doubtful_referrals_to_review_and_a_person_decides(
    installation, alice, captured
):
    referral_settings_update(
        installation=installation, velocity_per_day=3, leaked_referees_per_day=100
    )
    made = _checkouts_by_many(installation, captured, who="friend", count=5)
    assert [r.status for r in made] == ["attributed"] * 3 + ["review"] * 2
    queue = list(referrals_in_review(installation=installation))
    assert [r.pk for r in queue] == [made[3].pk, made[4].pk] and queue[
        0
    ].review_reason == "velocity_limit"
    verdict = fraud_check(installation=installation, referral=made[3], order_payload=None)
    assert (verdict.verdict, verdict.reason) == ("review", "velocity_limit")

    approved = referral_review_decide(referral=made[3], approve=True, actor="admin@example.com")
    assert approved.status == "attributed" and approved.reviewed_by == "admin@example.com"
    assert fraud_check(installation=installation, referral=approved, order_payload=None).ok
    with pytest.raises(ValueError, match="needs a reason"):
        referral_review_decide(referral=made[4], approve=False, actor="admin@example.com")
    rejected = referral_review_decide(
        referral=made[4], approve=False, actor="admin@example.com", reason="ring of fake accounts"
    )
    assert (rejected.status, rejected.refusal_reason) == ("refused", "ring of fake accounts")
    assert not Referral.objects.filter(status="review").exists()


def test_a_leaked_code_used_by_many_strangers_goes_to_review(installation, alice, captured):
    referral_settings_update(
        installation=installation, velocity_per_day=1000, leaked_referees_per_day=2
    )
    made = _checkouts_by_many(installation, captured, who="stranger", count=3)
    statuses = [referral.status for referral in made]
    assert statuses == ["attributed", "attributed", "review"]
    assert Referral.objects.get(status="review").review_reason == "leaked_code"


def test_many_referees_at_one_address_go_to_review(installation, alice, captured):
    referral_settings_update(installation=installation, shared_address_referees=2)
    statuses = []
    for n in range(4):
        order = captured("ORDER_FULLY_PAID", 1)  # everyone ships to 1600 Amphitheatre Pkwy
        order["order"].update(
            id=f"T3JkZXI6{n}",
            checkoutId=f"Q2hlY2tvdXQ6{n}",
            userEmail=f"flat{n}@example.com",
            user=None,
        )
        customer_order_record(installation=installation, order_payload=order, status="paid")
        statuses.append(
            referral_attribute(installation=installation, payload=order, kind="order").status
        )
    assert statuses == ["converted", "converted", "review", "review"]
    assert Referral.objects.filter(status="review").first().review_reason == "shared_address"
