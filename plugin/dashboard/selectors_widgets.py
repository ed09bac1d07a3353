"""Reads for the cards the app shows on Saleor's own pages: a customer's referral code, who
referred them, their referrals, rewards and points; an order's referral and the rewards it
caused. Everything from the app's own records of this installation, keyed by Saleor's ids."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from plugin.dashboard.selectors import reward_json
from plugin.referrals.models import Referral, ReferralCode
from plugin.referrals.selectors import referral_code_of_customer, referral_code_stats
from plugin.rewards.models import Reward
from plugin.rewards.selectors import points_balance, reward_views, rewards_for_customer

SHOWN = 10  # rows per list on a card; the app page has the rest


def _referral_json(referral: Referral) -> dict[str, Any]:
    return {"id": referral.pk, "referrer": referral.referrer_email,
            "referee": referral.referee_email, "status": referral.status,
            "code": referral.code.code, "order": referral.order_id,
            "created": referral.created.isoformat(),
            "reason": referral.refusal_reason or referral.review_reason}


def _customer_email(installation, customer_id: str) -> str:
    """The customer's e-mail as the app recorded it with their id (code, referral, reward)."""
    code = (ReferralCode.objects.filter(installation=installation, owner_customer_id=customer_id)
            .order_by("-created").first())
    if code:
        return code.owner_email
    referral = (Referral.objects.filter(installation=installation, referee_id=customer_id)
                .order_by("-created").first())
    if referral:
        return referral.referee_email
    reward = (Reward.objects.filter(installation=installation, recipient_customer_id=customer_id)
              .order_by("-created_at").first())
    return reward.recipient_email if reward else ""


def customer_card(*, installation, customer_id: str) -> dict[str, Any]:
    """What the customer page's card shows about one Saleor customer."""
    email = _customer_email(installation, customer_id)
    code = referral_code_of_customer(installation=installation, customer_id=customer_id,
                                     email=email or None)
    as_referee = Q(referee_id=customer_id) | (Q(referee_email=email) if email else Q(pk__in=[]))
    referred_by = (Referral.objects.filter(as_referee, installation=installation)
                   .select_related("code").order_by("-created").first())
    owner = Q(code__owner_customer_id=customer_id) | (
        Q(code__owner_email=email) if email else Q(pk__in=[]))
    referrals = (Referral.objects.filter(owner, installation=installation)
                 .select_related("code").order_by("-created", "-id"))
    rewards = rewards_for_customer(installation=installation, customer_id=customer_id,
                                   email=email or None)
    return {
        "customer": customer_id, "email": email,
        "code": {"code": code.code, "stats": referral_code_stats(code=code)} if code else None,
        "referred_by": _referral_json(referred_by) if referred_by else None,
        "referral_count": referrals.count(),
        "referrals": [_referral_json(r) for r in referrals[:SHOWN]],
        "reward_count": len(rewards),
        "rewards": [reward_json(view) for view in rewards[:SHOWN]],
        "points": points_balance(installation=installation, customer_id=customer_id,
                                 email=email or None),
    }


def order_card(*, installation, order_id: str) -> dict[str, Any]:
    """What the order page's card shows: whether the order was referred, and its rewards."""
    rewards = list(Reward.objects.filter(installation=installation, order_id=order_id)
                   .order_by("id"))
    # The referral recorded for the order, else the one its rewards were given for.
    by_reward = {r.referral_id for r in rewards if r.referral_id}
    referral = (Referral.objects.filter(installation=installation)
                .filter(Q(order_id=order_id) | Q(pk__in=by_reward))
                .select_related("code").order_by("-created").first())
    return {
        "order": order_id,
        "referral": _referral_json(referral) if referral else None,
        "rewards": [reward_json(view) for view in reward_views(rewards=rewards)],
    }
