"""Order events → a partner's commission: attribute the order to the partner whose code it
carries, run that partner's commission program, and record what it gives `affiliate` in the
rewards ledger, which holds it through the return window and claws it back on a refund.

Runs after the rewards use case for the same delivery, so what is known about the order (paid,
fulfilled, refunded) is already recorded; every step is idempotent, as a replay must be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.affiliates.models import PartnerOrder
from plugin.affiliates.programs import commission_program
from plugin.affiliates.selectors import partner_code_in_order
from plugin.affiliates.services import commission_link, partner_order_attribute
from plugin.referrals.selectors import customer_facts
from plugin.rewards.lifecycle import order_rewards_reconcile, reward_release
from plugin.rewards.models import RewardState
from plugin.rewards.selectors import rewards_due
from plugin.saleor.mappers.orders import order_facts
from plugin.saleor.mappers.subjects import order_is_paid
from plugin.saleor.money import amount_of
from plugin.use_cases.order_reward_record import bound_state, reward_record
from plugin.use_cases.rewards import EVENT_TRIGGERS
from rules.facts import Facts, ReferralFacts, ReferrerFacts, Trigger

log = logging.getLogger("plugin.use_cases.affiliate_commission")


def _triggers(event: str, order: dict) -> list[Trigger]:
    trigger = EVENT_TRIGGERS[event]
    if trigger != Trigger.ORDER_PAID:
        return [trigger]
    return [trigger, Trigger.FIRST_ORDER_IN_CHANNEL] if order_is_paid(order) else []


def order_partner(*, installation, order: dict, at: datetime) -> PartnerOrder | None:
    """The partner the order belongs to: recorded earlier, else found by an active code now."""
    known = PartnerOrder.objects.select_related("partner", "code").filter(
        installation=installation, order_id=order["id"]).first()
    if known is not None:
        return known
    found = partner_code_in_order(installation=installation, order=order)
    if found is None:
        return None
    code, source = found
    created = parse_datetime(str(order.get("created") or "")) or at
    return partner_order_attribute(installation=installation, code=code, order=order,
                                   source=source, total=amount_of(order.get("total")),
                                   ordered_at=created)


def order_commission_process(*, installation, event: str, payload: dict, delivery_id: str = "",
                             clock: Callable[[], datetime] = timezone.now) -> None:
    """Handle one ORDER_* delivery for the partner side (see the module docstring)."""
    order = (payload or {}).get("order") or {}
    if not order.get("id") or event not in EVENT_TRIGGERS:
        return
    at = parse_datetime(str(payload.get("issuedAt") or "")) or clock()
    partner_order = order_partner(installation=installation, order=order, at=at)
    if partner_order is None:
        return
    cause = {"cause_event": event, "cause_id": delivery_id or str(payload.get("issuedAt") or "")}
    if partner_order.partner.active:
        for trigger in _triggers(event, order):
            commissions_decide(installation=installation, partner_order=partner_order,
                               order=order, trigger=trigger, at=at, cause=cause)
    order_rewards_reconcile(installation=installation, order_id=order["id"], now=clock(), **cause)
    for reward in rewards_due(installation=installation, now=clock(), order_id=order["id"]):
        reward_release(reward=reward, now=clock())


def _facts(*, installation, partner_order: PartnerOrder, order: dict, trigger: Trigger,
           at: datetime) -> Facts:
    """The order as the partner's program sees it: referred, by the partner's code."""
    of_order = order_facts(order)
    user = order.get("user") or {}
    partner = partner_order.partner
    return Facts(
        trigger=trigger, now=at, channel=of_order.channel, currency=of_order.currency,
        order=of_order,
        customer=customer_facts(installation=installation, customer_id=user.get("id") or None,
                                email=order.get("userEmail") or user.get("email") or "",
                                before=partner_order.ordered_at, channel=of_order.channel),
        referral=ReferralFacts(
            is_referred=True, code=partner_order.code.code,
            days_since=max(0, (at - partner_order.ordered_at).days),
            referrer=ReferrerFacts(email=partner.email)),
    )


def commissions_decide(*, installation, partner_order: PartnerOrder, order: dict,
                       trigger: Trigger, at: datetime, cause: dict) -> None:
    """Evaluate the partner's program for one trigger; record each commission once."""
    program = commission_program(partner_order.partner.program_source)
    if trigger not in getattr(program, "triggers", {trigger}):
        return
    decision = program.evaluate(_facts(installation=installation, partner_order=partner_order,
                                       order=order, trigger=trigger, at=at))
    decided = [(reward, str(index), None) for index, reward in enumerate(decision.rewards)]
    decided += [(refusal.reward, f"bound{index}", refusal.reason)
                for index, refusal in enumerate(decision.refused)]
    partner = partner_order.partner
    for reward, index, over_bound in decided:
        if reward.recipient != "affiliate" or reward.kind != "money":
            log.warning("partner %s program gave %s to %s; skipped", partner.pk, reward.kind,
                        reward.recipient)
            continue
        state, reason = RewardState.PENDING, reward.reason or ""
        if over_bound is not None:
            state, reason = bound_state(reward, over_bound)
        key = (f"affiliate:{partner.pk}:order:{order['id']}:{trigger.value}:"
               f"{reward.rule_line}:{index}")
        reward_record(installation=installation, key=key, reward=reward,
                      recipient=(partner.email, ""), state=state, reason=reason, order=order,
                      trigger=trigger, referral=None, version=None, program=program, at=at,
                      cause=cause)
        commission_link(partner_order=partner_order, reward_key=key)
