"""Writes of contests: sync from the published program, keep the score table live, rebuild it.

Finalisation (ranking, prizes, winner e-mails) is the use case
`plugin/use_cases/contest_finalize.py`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from plugin.contests.entrants import contest_entrants_admitted, contest_program
from plugin.contests.models import Contest, ContestEntry
from plugin.contests.scoring import Score, contest_scores
from plugin.programs.selectors import program_published

log = logging.getLogger("plugin.contests")


def tie_order(*, tie_break: str, reached_at: datetime) -> int:
    """The sort key among equal scores: earlier first (earliest), later first (latest), or none."""
    micros = int(reached_at.timestamp() * 1_000_000)
    if tie_break == "earliest":
        return micros
    if tie_break == "latest":
        return -micros
    return 0


def _prize_json(prize: Any) -> dict[str, Any]:
    return {
        "first": prize.first_rank,
        "last": prize.last_rank,
        "kind": prize.kind,
        "description": prize.description,
        "amount": str(prize.amount.amount) if prize.amount is not None else None,
        "currency": prize.amount.currency if prize.amount is not None else "",
        "points": prize.points,
        "delivery": prize.delivery or "",
        "voucher_type": prize.voucher_type or "",
        "percent": str(prize.percent) if prize.percent is not None else None,
        "expires_days": prize.expires_days,
        "hold_days": prize.hold_days,
        "product": prize.product or "",  # free_product vouchers: the slug
    }


def _entrant_condition(contest: Contest) -> str | None:
    """The `entrants … where` text of the program version the contest was last synced from."""

    program = contest_program(contest=contest)
    info = next((c for c in getattr(program, "contests", ()) if c.name == contest.name), None)
    return info.entrants_condition if info is not None else None


def contests_sync(*, installation: Any, version: Any, program: Any) -> list[Contest]:
    """Mirror the published program's contests: create new ones, update open ones, and withdraw
    open contests the program no longer has. Finalised contests are never touched."""
    kept: list[Contest] = []
    for info in getattr(program, "contests", ()):
        values = {
            "ends": info.ends,
            "score": info.score,
            "score_text": info.score_text,
            "entrants": info.entrants,
            "minimum": info.minimum,
            "tie_break": info.tie_break,
            "prizes": [_prize_json(p) for p in info.prizes],
            "currency": getattr(program, "currency", None) or "",
            "program_version": version,
        }
        contest, created = Contest.objects.get_or_create(
            installation=installation, name=info.name, starts=info.starts,
            defaults={**values, "status": Contest.Status.OPEN},
        )
        if not created and contest.status != Contest.Status.FINALISED:
            rescore = (contest.score, contest.ends, contest.tie_break,
                       _entrant_condition(contest)) != (
                info.score, info.ends, info.tie_break, info.entrants_condition)
            for name, value in values.items():
                setattr(contest, name, value)
            contest.status = Contest.Status.OPEN
            contest.save()
            if rescore:
                contest_rebuild(contest=contest)
        elif created:
            contest_rebuild(contest=contest)
        kept.append(contest)
    Contest.objects.filter(installation=installation, status=Contest.Status.OPEN).exclude(
        pk__in=[c.pk for c in kept]
    ).update(status=Contest.Status.WITHDRAWN)
    return kept


def contests_sync_published(*, installation: Any) -> list[Contest]:
    """`contests_sync` with the installation's live program (nothing when none is published)."""

    published = program_published(installation=installation)
    if published is None:
        return []
    version, program = published
    return contests_sync(installation=installation, version=version, program=program)


def _entry(contest: Contest, score: Score) -> ContestEntry:
    return ContestEntry(
        contest=contest,
        referrer_email=score.referrer_email,
        referrer_id=score.referrer_id or "",
        score=score.score,
        reached_at=score.reached_at,
        tie_order=tie_order(tie_break=contest.tie_break, reached_at=score.reached_at),
    )


def _admitted(contest: Contest, scores: list[Score], now: datetime | None) -> list[Score]:
    """The scores of entrants the contest's `entrants … where` condition lets in."""

    admitted = contest_entrants_admitted(
        contest=contest, entrants=[(s.referrer_email, s.referrer_id) for s in scores],
        now=now or timezone.now())
    if admitted is None:
        return scores
    return [s for s in scores if s.referrer_email in admitted]


def contest_entry_refresh(*, contest: Contest, referrer_email: str,
                          now: datetime | None = None) -> ContestEntry | None:
    """Recompute one entrant's score (after an order or referral of theirs changed)."""
    if contest.status != Contest.Status.OPEN:
        return None
    score = contest_scores(contest=contest, referrer_email=referrer_email).get(referrer_email)
    if score is not None and score.score > 0 and not _admitted(contest, [score], now):
        score = None  # no longer (or not yet) meets the entrant condition
    with transaction.atomic():
        if score is None or score.score <= Decimal(0):
            deleted, _ = ContestEntry.objects.filter(
                contest=contest, referrer_email=referrer_email).delete()
            if deleted:
                Contest.objects.filter(pk=contest.pk).update(
                    entrant_count=F("entrant_count") - deleted)
            return None
        entry = _entry(contest, score)
        _, created = ContestEntry.objects.update_or_create(
            contest=contest, referrer_email=referrer_email,
            defaults={"referrer_id": entry.referrer_id, "score": entry.score,
                      "reached_at": entry.reached_at, "tie_order": entry.tie_order},
        )
        if created:
            Contest.objects.filter(pk=contest.pk).update(entrant_count=F("entrant_count") + 1)
    return entry


def contest_rebuild(*, contest: Contest, batch_size: int = 5000,
                    now: datetime | None = None) -> int:
    """Recompute the whole score table of a contest from the referral records; returns entrants.
    Entrants failing the contest's entrant condition (as at `now`) are left out."""
    scores = _admitted(contest, [s for s in contest_scores(contest=contest).values()
                                 if s.score > 0], now)
    wanted = {s.referrer_email for s in scores}
    with transaction.atomic():
        stale = [pk for pk, email in ContestEntry.objects.filter(contest=contest).values_list(
            "pk", "referrer_email").iterator() if email not in wanted]
        for start in range(0, len(stale), batch_size):
            ContestEntry.objects.filter(pk__in=stale[start:start + batch_size]).delete()
        ContestEntry.objects.bulk_create(
            [_entry(contest, s) for s in scores],
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["contest", "referrer_email"],
            update_fields=["referrer_id", "score", "reached_at", "tie_order"],
        )
        Contest.objects.filter(pk=contest.pk).update(entrant_count=len(scores))
    contest.entrant_count = len(scores)
    return len(scores)


def contests_refresh_for_referrer(*, installation: Any, referrer_email: str) -> int:
    """Live update: rescore one referrer in every open contest of the installation."""
    refreshed = 0
    for contest in Contest.objects.filter(installation=installation, status=Contest.Status.OPEN):
        contest_entry_refresh(contest=contest, referrer_email=referrer_email)
        refreshed += 1
    return refreshed
