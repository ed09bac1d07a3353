"""`on contest end` rules at finalisation: each ranked entrant's rank and score become facts,
the program decides, and what it gives goes through the reward ledger exactly once.

Ledger keys name contest, rule line, the reward's place in the rule and the entrant, so a second
run (or a second worker) finds the rewards already decided and adds nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from plugin.contests.entrants import contest_program, entrants_referrer_facts
from plugin.contests.models import Contest, ContestEntry
from plugin.contests.selectors import contest_winner_channel
from plugin.rewards.models import EntryAction, Reward, RewardState
from plugin.rewards.services import reward_transition
from plugin.use_cases.order_reward_record import reward_record
from rules.evaluate.contests import contest_end_facts
from rules.facts import Trigger

log = logging.getLogger("plugin.contests")


def _has_end_rules(program: Any, contest: Contest) -> bool:
    return any(rule.trigger is Trigger.CONTEST_END and rule.contest in (None, contest.name)
               for rule in getattr(program, "rules", ()))


def contest_ranked(*, contest: Contest) -> list[tuple[int, ContestEntry]]:
    """Every entrant of the final table with their rank (ties share one under `split`)."""
    ranked: list[tuple[int, ContestEntry]] = []
    entries = ContestEntry.objects.filter(contest=contest).order_by(
        "-score", "tie_order", "referrer_email")
    for position, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        rank = position
        if contest.tie_break == "split" and ranked and ranked[-1][1].score == entry.score:
            rank = ranked[-1][0]
        ranked.append((rank, entry))
    return ranked


def contest_end_rules_run(*, contest: Contest, now: datetime) -> int:
    """Run the program's `on contest end` rules for every ranked entrant; returns the rewards
    decided now. Called inside finalisation's transaction, after the table is rebuilt."""

    program = contest_program(contest=contest)
    if program is None or not _has_end_rules(program, contest):
        return 0
    ranked = contest_ranked(contest=contest)
    standing = entrants_referrer_facts(
        contest=contest, entrants=[(e.referrer_email, e.referrer_id) for _, e in ranked], now=now)
    decided = 0
    for rank, entry in ranked:
        channel = contest_winner_channel(contest=contest, email=entry.referrer_email)
        referrer = standing[entry.referrer_email]
        facts = contest_end_facts(
            currency=program.currency or contest.currency or "USD", contest=contest.name,
            rank=rank, score=entry.score, entrants=len(ranked), referrer=referrer, now=now,
            channel=channel)
        decision = program.evaluate(facts)
        seen: dict[int, int] = defaultdict(int)
        for reward in decision.rewards:
            seen[reward.rule_line] += 1
            if reward.recipient != "referrer":  # the checker allows only the entrant
                continue
            key = (f"contest:{contest.pk}:rule:{reward.rule_line}:{seen[reward.rule_line]}:"
                   f"{entry.referrer_email}")[:255]
            decided += _record(contest, program, entry, channel, key, reward, rank, now)
    log.info("contest %s: %d rewards from contest end rules", contest.pk, decided)
    return decided


def _record(contest: Contest, program: Any, entry: ContestEntry, channel: str, key: str,
            reward: Any, rank: int, now: datetime) -> int:
    """One decided reward into the ledger (counted against limits and budgets), then held."""

    if Reward.objects.filter(installation_id=contest.installation_id, key=key).exists():
        return 0
    reason = f"{reward.rule_label}: rank {rank} in contest {contest.name} (score {entry.score})"
    reward_record(
        installation=contest.installation, key=key, reward=reward,
        recipient=(entry.referrer_email, entry.referrer_id), state=RewardState.PENDING,
        reason=reason, order={"id": "", "number": "", "channel": {"slug": channel}},
        trigger=Trigger.CONTEST_END, referral=None, version=contest.program_version,
        program=program, at=now, cause={"cause_event": "CONTEST_END",
                                        "cause_id": str(contest.pk)},
    )
    created = Reward.objects.filter(installation_id=contest.installation_id, key=key).first()
    if created is None:
        return 0
    hold_days = reward.hold_days
    if hold_days is None:
        hold_days = int(getattr(settings, "CONTEST_PRIZE_HOLD_DAYS", 0))
    due = now + timedelta(days=hold_days)
    reward_transition(
        reward=created, from_states=[RewardState.PENDING], action=EntryAction.HELD,
        state=RewardState.HELD, now=now, due_at=due, cause_event="CONTEST_END",
        cause_id=str(contest.pk), reason=f"contest end rule, held until {due:%Y-%m-%d}",
    )
    return 1
