"""Reads of contests: the list, one contest, the top N standings and one entrant's rank.

Both standings and rank read only the denormalised `ContestEntry` table through its
(contest, score desc, tie order, e-mail) index, so they stay fast with 100,000 entrants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from plugin.contests.models import Contest, ContestEntry, ContestWinner
from plugin.contests.scoring import contest_window
from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder, ReferralCode

MONEY_SCORES = ("referred_revenue", "referred_net_revenue")
MAX_STANDINGS = 500


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    referrer_email: str
    public_name: str  # the name the entrant chose for leaderboards; "" = not opted in
    score: Decimal
    reached_at: datetime
    qualifies: bool  # at or above the contest's minimum
    prize: str  # the prize of this rank as written, "" when none


def contests_list(*, installation: Any, include_withdrawn: bool = False) -> list[Contest]:
    contests = Contest.objects.filter(installation=installation)
    if not include_withdrawn:
        contests = contests.exclude(status=Contest.Status.WITHDRAWN)
    return list(contests)


def contest_get(*, installation: Any, contest: Contest | int | str) -> Contest | None:
    """A contest of this installation by instance, id or name (the newest of that name)."""
    if isinstance(contest, Contest):
        return contest if contest.installation_id == installation.pk else None
    found = Contest.objects.filter(installation=installation)
    if isinstance(contest, int) or (isinstance(contest, str) and contest.isdigit()):
        return found.filter(pk=int(contest)).first()
    return found.filter(name=contest).order_by("-starts").first()


def contests_running(*, installation: Any, now: datetime) -> list[Contest]:
    """Open contests whose window contains `now`."""
    return [
        c for c in Contest.objects.filter(installation=installation, status=Contest.Status.OPEN)
        if contest_window(starts=c.starts, ends=c.ends)[0] <= now
        < contest_window(starts=c.starts, ends=c.ends)[1]
    ]


def contest_prize_for(*, contest: Contest, rank: int) -> dict[str, Any] | None:
    return next((p for p in contest.prizes if p["first"] <= rank <= p["last"]), None)


def _qualifies(contest: Contest, score: Decimal) -> bool:
    return contest.minimum is None or score >= contest.minimum


def _ordering(contest: Contest) -> list[str]:
    return ["-score", "tie_order", "referrer_email"]


def _public_names(contest: Contest, emails: list[str]) -> dict[str, str]:
    rows = (
        ReferralCode.objects.filter(
            installation_id=contest.installation_id, owner_email__in=emails, active=True
        )
        .exclude(leaderboard_name="")
        .values_list("owner_email", "leaderboard_name")
    )
    return dict(rows)


def contest_standings(*, installation: Any, contest: Contest | int | str, limit: int = 10
                      ) -> list[Standing]:
    """The top `limit` entrants (at most 500), best first. Ties share a rank under `split`;
    otherwise the tie-break orders them. A finalised contest shows its frozen table."""
    found = contest_get(installation=installation, contest=contest)
    if found is None:
        return []
    limit = max(0, min(int(limit), MAX_STANDINGS))
    rows = list(
        ContestEntry.objects.filter(contest=found)
        .order_by(*_ordering(found))
        .values_list("referrer_email", "score", "reached_at")[:limit]
    )
    names = _public_names(found, [r[0] for r in rows])
    standings: list[Standing] = []
    for position, (email, score, reached_at) in enumerate(rows, start=1):
        rank = position
        if found.tie_break == "split" and standings and standings[-1].score == score:
            rank = standings[-1].rank
        prize = contest_prize_for(contest=found, rank=rank) if _qualifies(found, score) else None
        standings.append(Standing(
            rank=rank, referrer_email=email, public_name=names.get(email, ""), score=score,
            reached_at=reached_at, qualifies=_qualifies(found, score),
            prize=prize["description"] if prize else "",
        ))
    return standings


def _referrer_email(referrer: Any) -> str:
    if isinstance(referrer, str):
        return email_normalise(referrer)
    return email_normalise(getattr(referrer, "owner_email", None) or getattr(
        referrer, "email", ""))


def contest_rank(*, installation: Any, contest: Contest | int | str, referrer: Any
                 ) -> Standing | None:
    """One entrant's place (by e-mail, or a ReferralCode / customer with `.email`), or None
    when they have no score in this contest. One indexed lookup and one indexed count."""
    found = contest_get(installation=installation, contest=contest)
    if found is None:
        return None
    email = _referrer_email(referrer)
    entry = ContestEntry.objects.filter(contest=found, referrer_email=email).first()
    if entry is None:
        return None
    rank = _rank_of(found, entry)
    qualifies = _qualifies(found, entry.score)
    prize = contest_prize_for(contest=found, rank=rank) if qualifies else None
    return Standing(
        rank=rank, referrer_email=email,
        public_name=_public_names(found, [email]).get(email, ""), score=entry.score,
        reached_at=entry.reached_at, qualifies=qualifies,
        prize=prize["description"] if prize else "",
    )


def _rank_of(contest: Contest, entry: ContestEntry) -> int:
    """1 + the entrants ahead. Counting is linear in the rows counted, so the smaller side is
    counted: those ahead (at most half the table), else those behind, from the entrant count."""
    entries = ContestEntry.objects.filter(contest=contest)
    score, tie, email = entry.score, entry.tie_order, entry.referrer_email
    split = contest.tie_break == "split"
    ahead = Q(score__gt=score)
    behind = Q(score__lte=score) if split else Q(score__lt=score)
    if not split:
        ahead |= Q(score=score, tie_order__lt=tie) | Q(score=score, tie_order=tie,
                                                       referrer_email__lt=email)
        behind |= Q(score=score, tie_order__gt=tie) | Q(score=score, tie_order=tie,
                                                        referrer_email__gt=email)
    total = Contest.objects.filter(pk=contest.pk).values_list("entrant_count", flat=True)[0]
    half = total // 2 + 1
    counted = entries.filter(ahead).values("pk")[:half].count()
    if counted < half or total <= 0:
        return 1 + counted
    # rank = 1 + ahead, and ahead = total - behind - 1; under `split`, behind includes them
    return total - entries.filter(behind).count() + (1 if split else 0)


def contest_winners(*, installation: Any, contest: Contest | int | str) -> list[ContestWinner]:
    found = contest_get(installation=installation, contest=contest)
    if found is None:
        return []
    return list(ContestWinner.objects.filter(contest=found).select_related("reward"))


def contest_entrant_count(*, contest: Contest) -> int:
    return ContestEntry.objects.filter(contest=contest).count()


def contest_winner_channel(*, contest: Contest, email: str) -> str:
    """The channel of the winner's latest order; a referrer who never ordered gets the channel
    of the latest order they referred (where their friends shop). "" when neither exists."""
    orders = CustomerOrder.objects.filter(installation_id=contest.installation_id).exclude(
        channel="").order_by("-created", "-pk").values_list("channel", flat=True)
    return (orders.filter(email=email).first()
            or orders.filter(referral__referrer_email=email).first() or "")
