"""Ending a contest: rank from a fresh score table, prizes into the reward ledger, winner e-mails.

Runs exactly once per contest: the contest row is locked and its status moves open → finalised
in the same transaction as the prizes; each prize's ledger key names contest, rank and winner.
Prizes start held (CONTEST_PRIZE_HOLD_DAYS, default 0) and are issued by the ledger's own tick;
the program's `on contest end` rules then run for every ranked entrant (`contest_end_rules.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from plugin.contests.models import Contest, ContestEntry, ContestWinner
from plugin.contests.scoring import contest_window
from plugin.contests.selectors import contest_prize_for, contest_winner_channel
from plugin.contests.services import contest_rebuild, contests_sync_published
from plugin.install.models import Installation
from plugin.messages.services import message_send
from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.selectors import reward_latest_entry
from plugin.rewards.services import reward_create, reward_transition
from plugin.use_cases.contest_end_rules import contest_end_rules_run
from rules.facts.money import is_currency, quantum

log = logging.getLogger("plugin.contests")


@dataclass(frozen=True, slots=True)
class Placing:
    rank: int
    referrer_email: str
    referrer_id: str
    score: Decimal
    share_of: int  # how many tied entrants share this rank's prizes (1 unless `split`)


def contest_placings(*, contest: Contest) -> list[Placing]:
    """Qualifying entrants down to the last prized rank, in final order."""
    last_rank = max((p["last"] for p in contest.prizes), default=0)
    entries = ContestEntry.objects.filter(contest=contest).order_by(
        "-score", "tie_order", "referrer_email"
    )
    if contest.minimum is not None:
        entries = entries.filter(score__gte=contest.minimum)
    rows = list(entries.values_list("referrer_email", "referrer_id", "score")[:last_rank + 1000]
                if contest.tie_break == "split" else
                entries.values_list("referrer_email", "referrer_id", "score")[:last_rank])
    placings: list[Placing] = []
    position = 0
    while position < len(rows):
        group = [rows[position]]
        if contest.tie_break == "split":
            while position + len(group) < len(rows) and rows[position + len(group)][2] == group[
                    0][2]:
                group.append(rows[position + len(group)])
        rank = position + 1
        if rank > last_rank:
            break
        placings.extend(Placing(rank, email, rid, score, len(group)) for email, rid, score in group)
        position += len(group)
    return placings


def _prize_value(contest: Contest, placing: Placing) -> dict[str, Any] | None:
    """The ledger value of this placing's prize, or None when it cannot be issued. Tied entrants
    under `split` share the money and points of the ranks they cover; a voucher cannot be
    divided, so each of them gets the voucher of the rank they share."""
    first = contest_prize_for(contest=contest, rank=placing.rank)
    if first is None:
        return None
    ranks = range(placing.rank, placing.rank + placing.share_of)
    prizes = [p for p in (contest_prize_for(contest=contest, rank=r) for r in ranks) if p]
    if first["kind"] == "money" and first["amount"] is not None:
        total = sum((Decimal(p["amount"]) for p in prizes if p["kind"] == "money" and p["amount"]),
                    Decimal(0))
        share = total / placing.share_of
        if is_currency(first["currency"]):
            share = share.quantize(quantum(first["currency"]), rounding=ROUND_DOWN)
        return {"kind": "money", "amount": share, "currency": first["currency"],
                "delivery": first.get("delivery") or "gift_card"}
    if first["kind"] == "points" and first["points"] is not None:
        total_points = sum(p["points"] or 0 for p in prizes if p["kind"] == "points")
        return {"kind": "points", "points": total_points // placing.share_of}
    if first["kind"] == "voucher" and first.get("voucher_type"):
        fixed = first["amount"] is not None
        product = first.get("product") or ""
        return {"kind": "voucher", "voucher_type": first["voucher_type"],
                "percent": Decimal(first["percent"]) if first.get("percent") else None,
                "amount": Decimal(first["amount"]) if fixed else None,
                "currency": first["currency"] if fixed else contest.currency,
                "product": product if first["voucher_type"] == "free_product" else "",
                "expires_days": first.get("expires_days")}
    return None


NO_CHANNEL = ("not issued: no order of the winner or of the friends they referred names a sales "
              "channel, and a Saleor voucher must belong to one; issue this prize by hand")


def _prize_reward(contest: Contest, placing: Placing, now: datetime) -> tuple[Any, str]:
    """The ledger reward of one placing (created once, then held), or None and why not."""

    prize = contest_prize_for(contest=contest, rank=placing.rank) or {}
    value = _prize_value(contest, placing)
    if value is None:
        return None, f"prize {prize.get('description', '')!r} cannot be issued automatically; " \
                     "issue it by hand"
    if value["kind"] == "money" and value["amount"] <= 0:
        return None, "the shared prize rounds to nothing"
    if value["kind"] == "points" and value["points"] <= 0:
        return None, "the shared prize rounds to nothing"
    hold_days = prize.get("hold_days")
    if hold_days is None:
        hold_days = int(getattr(settings, "CONTEST_PRIZE_HOLD_DAYS", 0))
    fields = {
        "order_id": "",
        "channel": contest_winner_channel(contest=contest, email=placing.referrer_email),
        "program_version": contest.program_version,
        "rule_label": f"contest {contest.name}: rank {placing.rank}"[:255],
        "trigger": "contest end",
        "recipient_role": "referrer",
        "recipient_email": placing.referrer_email,
        "recipient_customer_id": placing.referrer_id,
        "delivery": "",
        "hold_days": hold_days,
        "hold_after": "payment",
        "reason": f"rank {placing.rank} in contest {contest.name} (score {placing.score})",
        **value,
    }
    reward, _ = reward_create(
        installation=contest.installation,
        key=f"contest:{contest.pk}:rank:{placing.rank}:{placing.referrer_email}"[:255],
        fields=fields,
        action=EntryAction.DECIDED,
        state=RewardState.PENDING,
        now=now,
        reason=fields["reason"],
        cause_event="CONTEST_END",
        cause_id=str(contest.pk),
    )
    if value["kind"] == "voucher" and not fields["channel"]:
        # Saleor lists a voucher per channel: without one the outbox could only fail later.
        reward_transition(
            reward=reward, from_states=[RewardState.PENDING], action=EntryAction.VOIDED,
            state=RewardState.VOIDED, now=now, cause_event="CONTEST_END",
            cause_id=str(contest.pk), reason=NO_CHANNEL,
        )
        return reward, NO_CHANNEL
    due = now + timedelta(days=hold_days)
    reward_transition(
        reward=reward, from_states=[RewardState.PENDING], action=EntryAction.HELD,
        state=RewardState.HELD, now=now, due_at=due, cause_event="CONTEST_END",
        cause_id=str(contest.pk), reason=f"contest prize, held until {due:%Y-%m-%d}",
    )
    return reward, ""


def contest_is_over(*, contest: Contest, now: datetime) -> bool:
    return now >= contest_window(starts=contest.starts, ends=contest.ends)[1]


def contest_finalize(*, contest: Contest, now: datetime) -> list[ContestWinner]:
    """Rank and award one ended contest; a second call (or a second worker) does nothing."""
    with transaction.atomic():
        locked = Contest.objects.select_for_update().filter(pk=contest.pk).first()
        if locked is None or locked.status != Contest.Status.OPEN:
            return []
        if not contest_is_over(contest=locked, now=now):
            return []
        contest_rebuild(contest=locked, now=now)
        winners: list[ContestWinner] = []
        for placing in contest_placings(contest=locked):
            reward, note = _prize_reward(locked, placing, now)
            winners.append(ContestWinner.objects.create(
                contest=locked, rank=placing.rank, referrer_email=placing.referrer_email,
                referrer_id=placing.referrer_id, score=placing.score,
                prize=(contest_prize_for(contest=locked, rank=placing.rank) or {}).get(
                    "description", ""),
                reward=reward, note=note,
            ))
        contest_end_rules_run(contest=locked, now=now)
        locked.status = Contest.Status.FINALISED
        locked.finalised_at = now
        locked.save(update_fields=["status", "finalised_at", "updated"])
        for winner in winners:
            _winner_tell(contest=locked, winner=winner)
    log.info("contest %s finalised: %d winners", locked.pk, len(winners))
    return winners


def _winner_tell(*, contest: Contest, winner: ContestWinner) -> None:
    latest = reward_latest_entry(reward=winner.reward) if winner.reward else None
    # a prize the app cannot issue is handed over by the shop: promise nothing automatic
    by_hand = latest is None or latest.state == RewardState.VOIDED
    message_send(
        installation=contest.installation,
        key=f"contest:{contest.pk}:winner:{winner.referrer_email}",
        template="contest_winner",
        to=winner.referrer_email,
        context={"contest": contest.name, "rank": winner.rank, "score": winner.score,
                 "prize": winner.prize, "ends": contest.ends, "by_hand": by_hand},
    )


def contests_finalize_due(*, now: datetime, installation: Any = None) -> dict[str, int]:
    """The periodic task's work: sync contests from each live program, finalise the ended ones."""

    installations = [installation] if installation is not None else list(
        Installation.objects.filter(is_active=True))
    finalised = winners = 0
    for inst in installations:
        contests_sync_published(installation=inst)
        for contest in Contest.objects.filter(installation=inst, status=Contest.Status.OPEN):
            if contest_is_over(contest=contest, now=now):
                placed = contest_finalize(contest=contest, now=now)
                finalised += 1
                winners += len(placed)
    return {"finalised": finalised, "winners": winners}
