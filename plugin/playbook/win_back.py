"""Win-back: the `customer asleep for K periods` trigger for each sleeping customer, once per
sleep, never while an earlier offer is still open; and noticing who woke up after an offer.

The program decides the offer (e.g. `give customer 20% off next order expires 14 days`); the
reward goes through the ledger like any other (held, then issued by the outbox as a voucher
whose random code is chosen and stored in advance, so it can be in the e-mail).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from plugin.messages.services import message_send
from plugin.playbook.models import WinBackOffer
from plugin.playbook.rhythms import Rhythm
from plugin.playbook.selectors import (
    asleep_periods,
    customers_asleep,
    playbook_settings_get,
    win_back_open_offer,
)
from plugin.playbook.unsubscribe import unsubscribe_url
from plugin.programs.selectors import program_published
from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder
from plugin.referrals.selectors import customer_facts
from plugin.rewards.codes import reward_code_get
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.limits import usage_count, usage_read_locked
from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.services import reward_create, reward_transition
from plugin.rewards.skips import currency_mismatch
from plugin.segments.selectors import facts_with_segments
from rules.evaluate.limits import counted_money
from rules.facts import Facts, Trigger
from rules.facts.usage import with_usage

log = logging.getLogger("plugin.playbook")


def _facts(*, installation: Any, rhythm: Rhythm, now: datetime) -> Facts:
    customer = customer_facts(installation=installation, customer_id=rhythm.customer_id or None,
                              email=rhythm.email, before=now, currency=rhythm.currency,
                              channel=rhythm.last_channel)
    return facts_with_segments(installation=installation, facts=Facts(
        trigger=Trigger.CUSTOMER_ASLEEP, now=now, channel=rhythm.last_channel,
        currency=rhythm.currency, customer=customer))


def win_back_offer(*, installation: Any, rhythm: Rhythm, version: Any, program: Any,
                   now: datetime) -> WinBackOffer | None:
    """Run the asleep rules for one sleeping customer and record the offer once per sleep."""
    if win_back_open_offer(installation=installation, email=rhythm.email, now=now):
        return None
    if WinBackOffer.objects.filter(installation=installation, email=rhythm.email,
                                   sleep_since=rhythm.last_order_at).exists():
        return None
    facts = _facts(installation=installation, rhythm=rhythm, now=now)
    sleep_key = rhythm.last_order_at.isoformat()
    email = email_normalise(rhythm.email)
    try:
        with transaction.atomic():  # the limits' counters stay locked until the offer is made
            usage = usage_read_locked(installation=installation, program=program,
                                      people={"customer": email}, now=now,
                                      currency=facts.currency)
            decision = program.evaluate(with_usage(facts, usage))
            rewards = [r for r in decision.rewards
                       if r.recipient == "customer" and r.kind != "discount"]
            if not rewards:
                return None
            reward = rewards[0]  # one offer per sleep: the first the program gives
            expires_days = reward.expires_days or playbook_settings_get(
                installation=installation).win_back_expires_days
            counted = usage_count(installation=installation, program=program, role="customer",
                                  email=email, amount=counted_money(reward), now=now)
            offer = WinBackOffer.objects.create(
                installation=installation, email=rhythm.email, customer_id=rhythm.customer_id,
                sleep_since=rhythm.last_order_at, periods_missed=rhythm.periods_missed,
                usual_interval_days=Decimal(rhythm.usual_interval.total_seconds() / 86400
                                            ).quantize(Decimal("0.01")),
                offer=reward.describe()[:200], created=now,
                expires_at=now + timedelta(days=expires_days),
            )
            ledger, _ = reward_create(
                installation=installation,
                key=f"winback:{rhythm.email}:{sleep_key}:{reward.rule_line}"[:255],
                fields={
                    "channel": rhythm.last_channel,
                    "program_version": version,
                    "rule_line": reward.rule_line,
                    "rule_label": reward.rule_label[:255],
                    "trigger": Trigger.CUSTOMER_ASLEEP.value,
                    "recipient_role": "customer",
                    "recipient_email": rhythm.email,
                    "recipient_customer_id": rhythm.customer_id,
                    "kind": reward.kind,
                    "delivery": reward.delivery or "",
                    "voucher_type": reward.voucher_type or "",
                    "percent": reward.percent,
                    "product": reward.product or "",
                    "amount": reward.amount.amount if reward.amount is not None else None,
                    "currency": reward.amount.currency if reward.amount is not None else "",
                    "points": reward.points,
                    "hold_days": 0,
                    "hold_after": "payment",
                    "expires_days": expires_days,
                    "reason": reward.reason,
                },
                action=EntryAction.DECIDED, state=RewardState.PENDING, now=now,
                reason=reward.reason, cause_event="CUSTOMER_ASLEEP", cause_id=sleep_key,
                details={"counted": list(counted)} if counted else None,
            )
            reward_transition(reward=ledger, from_states=[RewardState.PENDING],
                              action=EntryAction.HELD, state=RewardState.HELD, now=now,
                              due_at=now, cause_event="CUSTOMER_ASLEEP", cause_id=sleep_key,
                              reason="win-back offer: issued at once")
            offer.reward = ledger
            if ledger.kind == "voucher":
                # random and stored now: the e-mail below and the voucher made at release agree
                offer.code = reward_code_get(reward=ledger, now=now).code
            offer.save(update_fields=["reward", "code"])
            _tell(installation=installation, offer=offer, rhythm=rhythm)
    except IntegrityError:
        return None  # another run made this sleep's offer a moment ago
    return offer


def _tell(*, installation: Any, offer: WinBackOffer, rhythm: Rhythm) -> None:
    message_send(
        installation=installation, key=f"winback:{offer.pk}", template="win_back",
        to=offer.email,
        context={"offer": offer.offer.removeprefix("customer gets "), "code": offer.code,
                 "expires": offer.expires_at.date(), "usual_days": rhythm.usual_interval.days,
                 "unsubscribe_url": unsubscribe_url(installation=installation,
                                                    email=offer.email)},
    )


def win_back_run(*, installation: Any, now: datetime) -> dict[str, int]:
    """The periodic scan: expire old offers, note wake-ups, offer to every sleeping customer."""

    WinBackOffer.objects.filter(installation=installation, status=WinBackOffer.Status.OPEN,
                                expires_at__lte=now).update(status=WinBackOffer.Status.EXPIRED)
    published = program_published(installation=installation)
    if published is None:
        return {"asleep": 0, "offers": 0}
    version, program = published
    if Trigger.CUSTOMER_ASLEEP not in program.triggers:
        return {"asleep": 0, "offers": 0}
    asleep = [rhythm for rhythm in customers_asleep(
                  installation=installation, now=now,
                  periods=asleep_periods(installation=installation, program=program))
              # a customer who buys in another currency is outside the program, as their orders
              if currency_mismatch(program_currency=program.currency,
                                   order_currency=rhythm.currency) is None]
    made = 0
    for rhythm in asleep:
        try:
            made += win_back_offer(installation=installation, rhythm=rhythm, version=version,
                                   program=program, now=now) is not None
        except Exception:  # one customer's bad data must not stop the scan
            log.exception("win-back for %s failed", rhythm.email)
    if made:
        rewards_release(installation=installation, now=now)
    return {"asleep": len(asleep), "offers": made}


def win_back_wake(*, installation: Any, order_id: str) -> int:
    """A paid order from a customer with an open offer: they woke up."""
    order = CustomerOrder.objects.filter(installation=installation, order_id=order_id,
                                         paid_at__isnull=False).first()
    if order is None or not order.email:
        return 0
    return WinBackOffer.objects.filter(
        installation=installation, email=order.email, status=WinBackOffer.Status.OPEN,
        created__lte=order.paid_at,
    ).update(status=WinBackOffer.Status.WOKE, woke_at=order.paid_at, woke_order_id=order_id)
