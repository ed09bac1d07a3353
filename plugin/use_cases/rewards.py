"""Order events → rewards: run the program's order rules, record decisions, move rewards along.

`order_event_process` is what the ORDER_* webhook handlers call. Its collaborators (program,
referrals, fraud, clock) come in through `RewardDeps`, so tests can swap any of them. Every
step is idempotent: a replayed or reordered delivery leaves the ledger as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, reward_release
from plugin.rewards.limits import program_limits, usage_take
from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.selectors import email_normalise, rewards_due
from plugin.rewards.services import reward_create
from rules.facts import Facts, Trigger

log = logging.getLogger("plugin.use_cases.rewards")

EVENT_TRIGGERS = {
    "ORDER_CREATED": Trigger.ORDER_CREATED,
    "ORDER_PAID": Trigger.ORDER_PAID,
    "ORDER_FULLY_PAID": Trigger.ORDER_PAID,
    "ORDER_FULFILLED": Trigger.ORDER_FULFILLED,
    "ORDER_CANCELLED": Trigger.ORDER_CANCELLED,
    "ORDER_REFUNDED": Trigger.ORDER_REFUNDED,
    "ORDER_FULLY_REFUNDED": Trigger.ORDER_REFUNDED,
}
CUSTOMER_ORDER_STATUS = {
    "ORDER_CREATED": "created",
    "ORDER_PAID": "paid",
    "ORDER_FULLY_PAID": "paid",
    "ORDER_FULFILLED": "fulfilled",
    "ORDER_CANCELLED": "cancelled",
    "ORDER_REFUNDED": "paid",
    "ORDER_FULLY_REFUNDED": "refunded",
}
PAID_CHARGE = {"FULL", "OVERCHARGED"}


def _default(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


@dataclass(frozen=True)
class RewardDeps:
    """The collaborators of the use case; defaults are the app's own."""

    program_published: Callable[..., Any] = field(
        default=_default("plugin.programs.selectors", "program_published")
    )
    referral_attribute: Callable[..., Any] = field(
        default=_default("plugin.referrals.services", "referral_attribute")
    )
    customer_order_record: Callable[..., Any] = field(
        default=_default("plugin.referrals.services", "customer_order_record")
    )
    customer_facts: Callable[..., Any] = field(
        default=_default("plugin.referrals.selectors", "customer_facts")
    )
    referral_facts: Callable[..., Any] = field(
        default=_default("plugin.referrals.selectors", "referral_facts")
    )
    fraud_check: Callable[..., Any] = field(
        default=_default("plugin.referrals.fraud", "fraud_check")
    )
    order_facts: Callable[..., Any] = field(
        default=_default("plugin.saleor.mappers", "order_facts")
    )
    discount_gap: Callable[..., Any] = field(
        default=_default("plugin.use_cases.order_discount", "discount_gap")
    )
    clock: Callable[[], datetime] = field(default=lambda: timezone.now())  # looked up per call


def _money_amount(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("gross", value).get("amount") if "gross" in value else value.get("amount")
    return Decimal(str(value)) if value is not None else None


def _event_time(payload: dict, fallback: datetime) -> datetime:
    return parse_datetime(str(payload.get("issuedAt") or "")) or fallback


def _is_paid(order: dict) -> bool:
    return bool(order.get("isPaid")) or order.get("chargeStatus") in PAID_CHARGE


def order_event_process(
    *,
    installation,
    event: str,
    payload: dict,
    delivery_id: str = "",
    deps: RewardDeps | None = None,
) -> None:
    """Handle one ORDER_* delivery end to end (see the module docstring)."""
    deps = deps or RewardDeps()
    order = (payload or {}).get("order") or {}
    if not order.get("id") or event not in EVENT_TRIGGERS:
        return
    at = _event_time(payload, deps.clock())
    cause = {"cause_event": event, "cause_id": delivery_id or str(payload.get("issuedAt") or "")}
    deps.customer_order_record(
        installation=installation, order_payload=payload, status=CUSTOMER_ORDER_STATUS[event], at=at
    )
    referral = deps.referral_attribute(
        installation=installation, payload=payload, kind="order", now=at
    )
    track = order_track_update(
        installation=installation,
        order_id=order["id"],
        number=str(order.get("number") or ""),
        currency=((order.get("total") or {}).get("currency") or ""),
        total=_money_amount(order.get("total")),
        paid_at=at if event in ("ORDER_PAID", "ORDER_FULLY_PAID") and _is_paid(order) else None,
        fulfilled_at=at if event == "ORDER_FULFILLED" else None,
        refunded=_money_amount(order.get("totalRefunded")),
        voided_at=at
        if event in ("ORDER_CANCELLED", "ORDER_FULLY_REFUNDED") or order.get("status") == "CANCELED"
        else None,
        void_reason="cancelled"
        if event == "ORDER_CANCELLED" or order.get("status") == "CANCELED"
        else "fully refunded",
    )
    trigger = EVENT_TRIGGERS[event]
    if trigger != Trigger.ORDER_PAID or _is_paid(order):
        order_rewards_decide(
            installation=installation,
            order=order,
            trigger=trigger,
            referral=referral,
            payload=payload,
            at=at,
            deps=deps,
            cause=cause,
        )
    if trigger == Trigger.ORDER_PAID and _is_paid(order) and referral is not None:
        late_discount_make_good(
            installation=installation,
            order=order,
            referral=referral,
            payload=payload,
            at=at,
            deps=deps,
            cause=cause,
        )
        _friend_joined(installation=installation, referral=referral, order=order)
    order_rewards_reconcile(
        installation=installation, order_id=order["id"], now=deps.clock(), **cause
    )
    for reward in rewards_due(installation=installation, now=deps.clock()):
        if reward.order_id == track.order_id:
            reward_release(reward=reward, now=deps.clock())


def _facts(
    *, installation, order: dict, trigger: Trigger, referral, at: datetime, deps: RewardDeps
) -> Facts:
    order_facts = deps.order_facts(order)
    user = order.get("user") or {}
    created = parse_datetime(str(order.get("created") or "")) or at
    customer = deps.customer_facts(
        installation=installation,
        customer_id=user.get("id") or None,
        email=order.get("userEmail") or user.get("email") or "",
        before=created,
    )
    return Facts(
        trigger=trigger,
        now=at,
        channel=order_facts.channel,
        currency=order_facts.currency,
        order=order_facts,
        customer=customer,
        referral=deps.referral_facts(installation=installation, referral=referral, now=at),
    )


def _recipient(reward, *, order: dict, referral) -> tuple[str, str] | None:
    """(e-mail, Saleor user id) of whoever a reward goes to, or None when unknown."""
    if reward.recipient == "referrer":
        if referral is None:
            return None
        return email_normalise(referral.referrer_email), referral.referrer_id or ""
    if reward.recipient in ("referee", "customer"):
        user = order.get("user") or {}
        return email_normalise(order.get("userEmail") or user.get("email")), user.get("id") or ""
    return None


def _program(installation, deps: RewardDeps):
    published = deps.program_published(installation=installation)
    if published is None:
        return None, None
    return published


def order_rewards_decide(
    *,
    installation,
    order: dict,
    trigger: Trigger,
    referral,
    payload: dict,
    at: datetime,
    deps: RewardDeps,
    cause: dict,
) -> None:
    """Evaluate the program for this order event and record each reward once."""
    version, program = _program(installation, deps)
    if program is None or trigger not in getattr(program, "triggers", {trigger}):
        return
    verdict = None
    if referral is not None:
        verdict = deps.fraud_check(
            installation=installation, referral=referral, order_payload=payload, now=at
        )
    decision = program.evaluate(
        _facts(
            installation=installation,
            order=order,
            trigger=trigger,
            referral=referral,
            at=at,
            deps=deps,
        )
    )
    for index, reward in enumerate(decision.rewards):
        if reward.kind == "discount":
            continue  # checkout discounts are applied by the checkout use case
        to = _recipient(reward, order=order, referral=referral)
        if to is None or not to[0]:
            log.warning(
                "reward to %s on order %s has no recipient; skipped", reward.recipient, order["id"]
            )
            continue
        state, reason = RewardState.PENDING, reward.reason or ""
        referral_bound = reward.recipient in ("referrer", "referee")
        if referral_bound and verdict is not None and verdict.verdict == "refuse":
            state, reason = RewardState.REFUSED, f"refused: {verdict.reason}"
        elif referral_bound and verdict is not None and verdict.verdict == "review":
            state, reason = RewardState.REVIEW, f"review: {verdict.reason}"
        key = f"order:{order['id']}:{trigger.value}:{reward.rule_line}:{reward.recipient}:{index}"
        reward_record(
            installation=installation,
            key=key,
            reward=reward,
            recipient=to,
            state=state,
            reason=reason,
            order=order,
            trigger=trigger,
            referral=referral,
            version=version,
            program=program,
            at=at,
            cause=cause,
        )


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
) -> None:
    """Create one decided reward, counting it against caps and budgets in the same transaction."""
    amount = reward.amount.amount if getattr(reward, "amount", None) is not None else None
    currency = reward.amount.currency if getattr(reward, "amount", None) is not None else ""
    fields = {
        "order_id": order["id"],
        "order_number": str(order.get("number") or ""),
        "channel": (order.get("channel") or {}).get("slug", ""),
        "referral_id": getattr(referral, "pk", None),
        "program_version": version,
        "rule_line": reward.rule_line or 0,
        "rule_label": (reward.rule_label or "")[:255],
        "trigger": trigger.value,
        "recipient_role": reward.recipient,
        "recipient_email": recipient[0],
        "recipient_customer_id": recipient[1],
        "kind": reward.kind,
        "delivery": reward.delivery or "",
        "voucher_type": reward.voucher_type or "",
        "percent": reward.percent,
        "amount": amount,
        "currency": currency,
        "points": reward.points,
        "hold_days": reward.hold_days or 0,
        "hold_after": reward.hold_after
        or ("payment" if trigger != Trigger.ORDER_PAID else "fulfillment"),
        "expires_days": reward.expires_days,
        "reason": reward.reason or "",
    }
    try:
        with transaction.atomic():
            if state != RewardState.REFUSED:
                broken = usage_take(
                    installation=installation,
                    limits=program_limits(
                        program=program,
                        recipient_role=reward.recipient,
                        recipient_email=recipient[0],
                    ),
                    amount=amount or Decimal(0),
                    now=at,
                )
                if broken:
                    state, reason = RewardState.REFUSED, f"refused: {broken}"
            action = EntryAction.REFUSED if state == RewardState.REFUSED else EntryAction.DECIDED
            _, created = reward_create(
                installation=installation,
                key=key,
                fields=fields,
                action=action,
                state=state,
                now=timezone.now(),
                reason=reason,
                **cause,
            )
            if not created:
                raise _AlreadyDecided
    except _AlreadyDecided:
        return


def _friend_joined(*, installation, referral, order: dict) -> None:
    from plugin.messages.services import friend_joined_send

    if getattr(referral, "status", "") in ("refused",):
        return
    friend = (order.get("user") or {}).get("firstName") or "A friend"
    friend_joined_send(
        installation=installation,
        to=referral.referrer_email,
        friend=friend,
        order_number=str(order.get("number") or ""),
        key=f"friend:{referral.pk}:{order['id']}",
    )


def late_discount_make_good(
    *,
    installation,
    order: dict,
    referral,
    payload: dict,
    at: datetime,
    deps: RewardDeps,
    cause: dict,
) -> None:
    """The referee's order was placed before their discount landed: store credit for the gap."""
    if getattr(referral, "status", "") == "refused":
        return
    version, program = _program(installation, deps)
    if program is None or Trigger.CHECKOUT not in getattr(program, "triggers", set()):
        return
    decision = program.evaluate(
        _facts(
            installation=installation,
            order=order,
            trigger=Trigger.CHECKOUT,
            referral=referral,
            at=at,
            deps=deps,
        )
    )
    intended = [
        r
        for r in decision.rewards
        if r.kind == "discount" and r.recipient == "referee" and r.amount
    ]
    if not intended:
        return
    promised = intended[0].amount
    gap = deps.discount_gap(
        installation=installation, order=order, referral=referral, promised=promised.amount
    )
    if gap <= 0:
        return
    from dataclasses import replace

    from rules.money import Money

    credit = replace(
        intended[0],
        kind="money",
        amount=Money(gap, promised.currency),
        delivery="store_credit",
        hold_days=0,
        hold_after="payment",
        percent=None,
        max_amount=None,
        reason=f"discount of {promised} did not reach the order in time",
    )
    to = _recipient(credit, order=order, referral=referral)
    if to is None or not to[0]:
        return
    reward_record(
        installation=installation,
        key=f"order:{order['id']}:late-discount",
        reward=credit,
        recipient=to,
        state=RewardState.PENDING,
        reason=credit.reason,
        order=order,
        trigger=Trigger.ORDER_PAID,
        referral=referral,
        version=version,
        program=program,
        at=at,
        cause=cause,
    )
