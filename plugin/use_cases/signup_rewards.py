"""Sign-up rewards: the program's `on customer created` rules, run once per customer.

Decided on CUSTOMER_CREATED (or on ACCOUNT_CONFIRMED when that comes first), with the same
limits and budgets procedure as order rewards, and recorded pending. A reward is held towards
payout only once the account is active and confirmed: a shop that confirms accounts by e-mail
sends `isConfirmed: false` until the customer clicks the link (ACCOUNT_CONFIRMED), so a made-up
address earns nothing; a shop that does not confirm creates accounts confirmed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.programs.selectors import program_published
from plugin.referrals.identity import email_normalise
from plugin.referrals.selectors import customer_facts, referral_facts
from plugin.rewards.limits import usage_read_locked
from plugin.rewards.models import EntryAction, Reward, RewardState
from plugin.rewards.selectors import rewards_in_state
from plugin.rewards.services import reward_transition
from plugin.use_cases.order_reward_record import recipient_of, reward_record
from rules.facts import Facts, Trigger
from rules.facts.usage import with_usage

log = logging.getLogger(__name__)

DECIDING_EVENTS = ("CUSTOMER_CREATED", "ACCOUNT_CONFIRMED")
WAITING = "waits for the customer to confirm their account"


def signup_key_prefix(customer_id: str) -> str:
    return f"customer:{customer_id}:{Trigger.CUSTOMER_CREATED.value}:"


def signup_rewards_process(*, installation: Any, event: str, user: dict, referral: Any,
                           delivery_id: str = "", issued_at: str = "") -> None:
    """Decide the sign-up rewards once (CUSTOMER_CREATED / ACCOUNT_CONFIRMED), then hold the
    pending ones when the account is confirmed."""
    customer_id, email = str(user.get("id") or ""), str(user.get("email") or "")
    if not customer_id or not email:
        return
    at = parse_datetime(issued_at or "") or timezone.now()
    cause = {"cause_event": event, "cause_id": delivery_id or issued_at}
    published = program_published(installation=installation)
    if published is not None and event in DECIDING_EVENTS:
        version, program = published
        if Trigger.CUSTOMER_CREATED in program.triggers:
            # a sign-up belongs to no channel: its vouchers are listed in the default one
            channel = getattr(settings, "REWARDS_DEFAULT_CHANNEL", "default-channel")
            order = {"id": "", "number": "", "channel": {"slug": channel}, "user": user,
                     "userEmail": email}
            facts = Facts(
                trigger=Trigger.CUSTOMER_CREATED, now=at, channel=channel,
                currency=program.currency or "USD",
                customer=customer_facts(installation=installation, customer_id=customer_id,
                                        email=email, before=at, currency=program.currency),
                referral=referral_facts(installation=installation, referral=referral, now=at),
            )
            _decide(installation=installation, program=program, version=version, facts=facts,
                    order=order, referral=referral, at=at, cause=cause)
    if user.get("isActive", True) and user.get("isConfirmed") is True:
        signup_rewards_hold(installation=installation, customer_id=customer_id, now=at,
                            cause=cause)


def _decide(*, installation, program, version, facts: Facts, order: dict, referral,
            at: datetime, cause: dict) -> None:
    customer_id = order["user"]["id"]
    with transaction.atomic():  # the counters stay locked from reading to recording
        prefix = signup_key_prefix(customer_id)
        if Reward.objects.filter(installation=installation, key__startswith=prefix).exists():
            return  # once per customer, whatever is redelivered
        people = {role: email_normalise(to[0]) for role in ("referrer", "referee", "customer")
                  if (to := recipient_of(role, order=order, referral=referral)) and to[0]}
        usage = usage_read_locked(installation=installation, program=program, people=people,
                                  now=at, currency=facts.currency)
        decision = program.evaluate(with_usage(facts, usage))
        decided = [(r, str(i), RewardState.PENDING, WAITING)
                   for i, r in enumerate(decision.rewards)]
        decided += [(r.reward, f"bound{i}", RewardState.REVIEW, f"review: {r.reason}")
                    for i, r in enumerate(decision.refused)]
        decided += [(c.reward, f"cut{i}", RewardState.REFUSED, f"refused: {c.reason}")
                    for i, c in enumerate(decision.cut)]
        for reward, index, state, reason in decided:
            to = recipient_of(reward.recipient, order=order, referral=referral)
            if reward.kind == "discount" or to is None or not to[0]:
                log.warning("sign-up reward to %s of %s has no recipient; skipped",
                            reward.recipient, customer_id)
                continue
            reward_record(
                installation=installation, key=f"{prefix}{reward.rule_line}:{reward.recipient}:"
                                               f"{index}",
                reward=reward, recipient=to, state=state, reason=reason, order=order,
                trigger=Trigger.CUSTOMER_CREATED, referral=referral, version=version,
                program=program, at=at, cause=cause,
            )


def signup_rewards_hold(*, installation: Any, customer_id: str, now: datetime,
                        cause: dict) -> int:
    """The customer's pending sign-up rewards, held towards payout (their account is
    confirmed): due after the rule's `hold`, else at once. Returns how many moved."""
    pending = rewards_in_state(installation=installation, states=[RewardState.PENDING]).filter(
        key__startswith=signup_key_prefix(customer_id))
    moved = 0
    for reward in pending:
        due = now + timedelta(days=reward.hold_days or 0)
        if reward_transition(reward=reward, from_states=[RewardState.PENDING],
                             action=EntryAction.HELD, state=RewardState.HELD, now=now,
                             due_at=due, reason=f"account confirmed, held until {due:%Y-%m-%d}",
                             **cause) is not None:
            moved += 1
    return moved
