"""Recording one decided reward: who gets it, and counting it against caps and budgets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from plugin.referrals.identity import email_normalise
from plugin.rewards.limits import usage_take_reward
from plugin.rewards.models import MONEY, EntryAction, RewardState
from plugin.rewards.services import reward_create
from rules.facts import Trigger

PAID_ORDER_TRIGGERS = (Trigger.ORDER_PAID, Trigger.FIRST_ORDER_IN_CHANNEL)


def reward_recipient(reward, *, order: dict, referral) -> tuple[str, str] | None:
    """(deliverable e-mail, Saleor user id) of whoever a reward goes to, or None when unknown.

    The referrer is known by the referral's (mailbox-key) address; a customer on the order by
    the address they ordered with, so the gift card reaches the inbox they really use.
    """
    return recipient_of(reward.recipient, order=order, referral=referral)


def recipient_of(role: str, *, order: dict, referral) -> tuple[str, str] | None:
    """`reward_recipient` for a role: referrer, referee or customer."""
    if role == "referrer":
        if referral is None:
            return None
        return referral.referrer_email.strip().lower(), referral.referrer_id or ""
    if role in ("referee", "customer"):
        user = order.get("user") or {}
        address = (order.get("userEmail") or user.get("email") or "").strip().lower()
        return address, user.get("id") or ""
    return None


# The ledger's money column holds MONEY["max_digits"] digits of which MONEY["decimal_places"]
# are decimals: an amount with more whole digits cannot be stored, let alone approved.
LEDGER_LARGEST = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])


def bound_state(reward, over_bound: str) -> tuple[str, str]:
    """Where a reward the program refused for breaking a money bound goes: the review queue,
    with the reason; refused outright when its amount is beyond anything the ledger holds."""
    amount = getattr(reward, "amount", None)
    if amount is not None and abs(amount.amount) >= LEDGER_LARGEST:
        return RewardState.REFUSED, f"refused: {amount} is {over_bound}"
    return RewardState.REVIEW, f"review: {over_bound}"


class _AlreadyDecided(Exception):
    """The reward exists: undo this attempt's counting."""


def reward_record(
    *,
    installation,
    key: str,
    reward,
    recipient: tuple[str, str],
    state: str,
    reason: str,
    order: dict,
    trigger: Trigger,
    referral,
    version,
    program,
    at: datetime,
    cause: dict,
    variant: str = "",
) -> None:
    """Create one decided reward, counting it against caps and budgets in the same transaction;
    `variant` is the A/B test variant that decided it."""
    amount = reward.amount.amount if getattr(reward, "amount", None) is not None else None
    currency = reward.amount.currency if getattr(reward, "amount", None) is not None else ""
    if amount is not None and abs(amount) >= LEDGER_LARGEST:
        amount = None  # refused (bound_state); the reason keeps the figure
    fields = {
        "order_id": order["id"],
        "order_number": str(order.get("number") or ""),
        "channel": (order.get("channel") or {}).get("slug", ""),
        "referral_id": getattr(referral, "pk", None),
        "program_version": version,
        "rule_line": reward.rule_line or 0,
        "rule_label": (reward.rule_label or "")[:255],
        "trigger": trigger.value,
        "ab_test": (program.ab_test.name if variant and getattr(program, "ab_test", None)
                    else "")[:255],
        "ab_variant": variant[:255],
        "recipient_role": reward.recipient,
        "recipient_email": recipient[0],
        "recipient_customer_id": recipient[1],
        "kind": reward.kind,
        "delivery": reward.delivery or "",
        "voucher_type": reward.voucher_type or "",
        "percent": reward.percent,
        "product": getattr(reward, "product", None) or "",
        "amount": amount,
        "currency": currency,
        "points": reward.points,
        "hold_days": reward.hold_days or 0,
        # a reward for a paid order waits for its fulfilment (and return window) by default
        "hold_after": reward.hold_after
        or ("fulfillment" if trigger in PAID_ORDER_TRIGGERS else "payment"),
        "expires_days": reward.expires_days,
        "reason": reward.reason or "",
    }
    try:
        with transaction.atomic():
            usage = None
            if state != RewardState.REFUSED:
                # the language's limits procedure again, on the rows locked now: a concurrent
                # order may have taken the last place since the program decided
                usage = usage_take_reward(
                    installation=installation, program=program, reward=reward,
                    email=email_normalise(recipient[0]), now=at,
                    currency=currency or getattr(program, "currency", None) or "USD",
                )
                if usage.broken:
                    state, reason = RewardState.REFUSED, f"refused: {usage.broken}"
            action = EntryAction.REFUSED if state == RewardState.REFUSED else EntryAction.DECIDED
            _, created = reward_create(
                installation=installation,
                key=key,
                fields=fields,
                action=action,
                state=state,
                now=timezone.now(),
                reason=reason,
                details={"counted": list(usage.counted)} if usage and usage.counted else None,
                **cause,
            )
            if not created:
                raise _AlreadyDecided
    except _AlreadyDecided:
        return
