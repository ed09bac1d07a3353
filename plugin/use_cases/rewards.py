"""Order events → rewards: run the program's order rules, record decisions, move rewards along.

`order_event_process` is what the ORDER_* webhook handlers call. Its collaborators (program,
referrals, fraud, clock) come in through `RewardDeps`, so tests can swap any of them. Every
step is idempotent: a replayed or reordered delivery leaves the ledger as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.messages.services import friend_joined_send
from plugin.programs import selectors as program_selectors
from plugin.referrals import fraud
from plugin.referrals import selectors as referral_selectors
from plugin.referrals import services as referral_services
from plugin.referrals.identity import email_normalise
from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, reward_release
from plugin.rewards.limits import usage_read_locked
from plugin.rewards.models import Reward, RewardState
from plugin.rewards.selectors import rewards_due
from plugin.rewards.skips import currency_mismatch, order_skip_record
from plugin.saleor.mappers import orders as order_mappers
from plugin.saleor.mappers.subjects import currency_of, customer_of, order_is_paid
from plugin.saleor.money import amount_or_none
from plugin.segments import selectors as segment_selectors
from plugin.use_cases import order_discount
from plugin.use_cases.ab_variants import referral_variant_record
from plugin.use_cases.order_discount import late_discount_make_good
from plugin.use_cases.order_reward_record import (
    bound_state,
    recipient_of,
    reward_recipient,
    reward_record,
)
from rules.evaluate.decision import Decision
from rules.facts import Facts, Trigger
from rules.facts.usage import with_usage

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


@dataclass(frozen=True)
class RewardDeps:
    """The collaborators of the use case, as plain functions. The defaults are the app's own,
    read from their modules when the deps are made, so a test may swap one module-wide."""

    program_published: Callable[..., Any] = field(
        default_factory=lambda: program_selectors.program_published)
    referral_attribute: Callable[..., Any] = field(
        default_factory=lambda: referral_services.referral_attribute)
    customer_order_record: Callable[..., Any] = field(
        default_factory=lambda: referral_services.customer_order_record)
    customer_facts: Callable[..., Any] = field(
        default_factory=lambda: referral_selectors.customer_facts)
    referral_facts: Callable[..., Any] = field(
        default_factory=lambda: referral_selectors.referral_facts)
    facts_with_segments: Callable[..., Any] = field(
        default_factory=lambda: segment_selectors.facts_with_segments)
    fraud_check: Callable[..., Any] = field(default_factory=lambda: fraud.fraud_check)
    order_facts: Callable[..., Any] = field(default_factory=lambda: order_mappers.order_facts)
    discount_gap: Callable[..., Any] = field(default_factory=lambda: order_discount.discount_gap)
    clock: Callable[[], datetime] = field(default=lambda: timezone.now())  # looked up per call


def _read_once(program_published: Callable[..., Any]) -> Callable[..., Any]:
    read: dict[Any, Any] = {}

    def published(*, installation):
        if installation.pk not in read:
            read[installation.pk] = program_published(installation=installation)
        return read[installation.pk]

    return published


def _event_time(payload: dict, fallback: datetime) -> datetime:
    return parse_datetime(str(payload.get("issuedAt") or "")) or fallback


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
    # One delivery decides against one live program: read it once, not at every step.
    deps = replace(deps, program_published=_read_once(deps.program_published))
    at = _event_time(payload, deps.clock())
    cause = {"cause_event": event, "cause_id": delivery_id or str(payload.get("issuedAt") or "")}
    deps.customer_order_record(
        installation=installation, order_payload=payload, status=CUSTOMER_ORDER_STATUS[event], at=at
    )
    referral = deps.referral_attribute(
        installation=installation, payload=payload, kind="order", now=at
    )
    referral_variant_record(installation=installation, referral=referral)
    order_track_update(
        installation=installation,
        order_id=order["id"],
        number=str(order.get("number") or ""),
        currency=currency_of(order),
        total=amount_or_none(order.get("total")),
        paid_at=at
        if event in ("ORDER_PAID", "ORDER_FULLY_PAID") and order_is_paid(order)
        else None,
        fulfilled_at=at if event == "ORDER_FULFILLED" else None,
        refunded=amount_or_none(order.get("totalRefunded")),
        voided_at=at
        if event in ("ORDER_CANCELLED", "ORDER_FULLY_REFUNDED") or order.get("status") == "CANCELED"
        else None,
        void_reason="cancelled"
        if event == "ORDER_CANCELLED" or order.get("status") == "CANCELED"
        else "fully refunded",
    )
    trigger = EVENT_TRIGGERS[event]
    paid = trigger == Trigger.ORDER_PAID and order_is_paid(order)
    if paid:  # a paid order is also the moment of `first order in channel`, when it is the first
        fired_triggers = [trigger, Trigger.FIRST_ORDER_IN_CHANNEL]
    elif trigger == Trigger.ORDER_PAID:
        fired_triggers = []  # a partial payment: the order is not paid yet
    else:
        fired_triggers = [trigger]
    # a paid referred order runs the `checkout` rules again, to make good a missed discount
    rechecked = [Trigger.CHECKOUT] if paid and referral is not None else []
    skipped = _outside_program(installation=installation, order=order, deps=deps, at=at,
                               triggers=[*fired_triggers, *rechecked])
    if skipped:
        fired_triggers = []
    for fired in fired_triggers:
        order_rewards_decide(
            installation=installation,
            order=order,
            trigger=fired,
            referral=referral,
            payload=payload,
            at=at,
            deps=deps,
            cause=cause,
        )
    if paid and referral is not None:
        version, program = _program(installation, deps)
        if program is not None and not skipped:
            late_discount_make_good(
                installation=installation,
                order=order,
                referral=referral,
                version=version,
                program=program,
                checkout_facts=_facts(
                    installation=installation,
                    order=order,
                    trigger=Trigger.CHECKOUT,
                    referral=referral,
                    at=at,
                    deps=deps,
                ),
                discount_gap_of=deps.discount_gap,
                at=at,
                cause=cause,
            )
        _friend_joined(installation=installation, referral=referral, order=order)
    order_rewards_reconcile(
        installation=installation, order_id=order["id"], now=deps.clock(), **cause
    )
    for reward in rewards_due(installation=installation, now=deps.clock(), order_id=order["id"]):
        reward_release(reward=reward, now=deps.clock())


def _facts(
    *, installation, order: dict, trigger: Trigger, referral, at: datetime, deps: RewardDeps
) -> Facts:
    order_facts = deps.order_facts(order)
    customer_id, email = customer_of(order)
    created = parse_datetime(str(order.get("created") or "")) or at
    customer = deps.customer_facts(
        installation=installation,
        customer_id=customer_id or None,
        email=email,
        before=created,
        channel=order_facts.channel,
    )
    return deps.facts_with_segments(installation=installation, facts=Facts(
        trigger=trigger,
        now=at,
        channel=order_facts.channel,
        currency=order_facts.currency,
        order=order_facts,
        customer=customer,
        referral=deps.referral_facts(installation=installation, referral=referral, now=at),
    ))


def _outside_program(*, installation, order: dict, triggers: list[Trigger], deps: RewardDeps,
                     at: datetime) -> bool:
    """True when the program would decide on this order but is in another currency: the order
    is skipped (recorded once, with its reason) instead of failing the delivery on every retry."""
    _version, program = _program(installation, deps)
    if program is None or not set(triggers) & set(getattr(program, "triggers", triggers)):
        return False
    reason = currency_mismatch(program_currency=getattr(program, "currency", None),
                               order_currency=currency_of(order))
    if reason is None:
        return False
    order_skip_record(installation=installation, order_id=order["id"],
                      number=str(order.get("number") or ""), program="program", reason=reason,
                      at=at)
    return True


def _program(installation, deps: RewardDeps):
    published = deps.program_published(installation=installation)
    if published is None:
        return None, None
    return published


def _variant(program, facts: Facts) -> str:
    """The A/B test variant that decided these facts ("" when no test runs)."""
    test = getattr(program, "ab_test", None)
    return test.variant_for(facts) if test is not None else ""


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
    facts = _facts(
        installation=installation, order=order, trigger=trigger, referral=referral, at=at, deps=deps
    )
    with transaction.atomic():  # the counters stay locked from reading to recording
        if Reward.objects.filter(installation=installation,
                                 key__startswith=f"order:{order['id']}:{trigger.value}:").exists():
            return  # decided once: a redelivery would count this order's own rewards as used
        people = {role: email_normalise(to[0]) for role in ("referrer", "referee", "customer")
                  if (to := recipient_of(role, order=order, referral=referral)) and to[0]}
        usage = usage_read_locked(installation=installation, program=program, people=people,
                                  now=at, currency=facts.currency)
        # The program alone decides (`first order in channel`, limits and budgets included), as
        # `referrals eval` does from the same facts: no gate here may answer otherwise
        # (tests/rules/test_decision_paths.py).
        decision = program.evaluate(with_usage(facts, usage))
        _decision_record(installation=installation, order=order, trigger=trigger,
                         referral=referral, payload=payload, at=at, deps=deps, cause=cause,
                         version=version, program=program, decision=decision,
                         variant=_variant(program, facts))


def _decision_record(*, installation, order: dict, trigger: Trigger, referral, payload: dict,
                     at: datetime, deps: RewardDeps, cause: dict, version, program,
                     decision: Decision, variant: str = "") -> None:
    """Each reward of the decision into the ledger once: given, to review, or refused; each
    records the A/B test `variant` that decided it."""
    if not decision.rewards and not decision.refused and not decision.cut:
        return
    verdict = None
    if referral is not None and (decision.rewards or decision.refused):
        verdict = deps.fraud_check(
            installation=installation, referral=referral, order_payload=payload, now=at
        )
    decided = [(reward, str(index), None) for index, reward in enumerate(decision.rewards)]
    # Over a money bound (its base, the ceiling, its rule's worst case): to the review queue.
    decided += [(refusal.reward, f"bound{index}", refusal.reason)
                for index, refusal in enumerate(decision.refused)]
    for reward, index, over_bound in decided:
        if reward.kind == "discount":
            continue  # checkout discounts are applied by the checkout use case
        to = reward_recipient(reward, order=order, referral=referral)
        if to is None or not to[0]:
            log.warning(
                "reward to %s on order %s has no recipient; skipped", reward.recipient, order["id"]
            )
            continue
        state, reason = RewardState.PENDING, reward.reason or ""
        referral_bound = reward.recipient in ("referrer", "referee")
        if referral_bound and verdict is not None and verdict.verdict == "refuse":
            state, reason = RewardState.REFUSED, f"refused: {verdict.reason}"
        elif over_bound is not None:
            state, reason = bound_state(reward, over_bound)
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
            variant=variant,
        )
    # Cut by a per-person limit or a budget: shown to the merchant as refused, with the reason.
    for index, cut in enumerate(decision.cut):
        to = reward_recipient(cut.reward, order=order, referral=referral)
        if cut.reward.kind == "discount" or to is None or not to[0]:
            continue
        reward_record(
            installation=installation,
            key=f"order:{order['id']}:{trigger.value}:{cut.reward.rule_line}:"
                f"{cut.reward.recipient}:cut{index}",
            reward=cut.reward, recipient=to, state=RewardState.REFUSED,
            reason=f"refused: {cut.reason}", order=order, trigger=trigger, referral=referral,
            version=version, program=program, at=at, cause=cause,
            variant=variant,
        )


def _friend_joined(*, installation, referral, order: dict) -> None:
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
