"""Who may enter a contest: the program's `entrants referrers where …` condition, evaluated on
each referrer's own standing (orders, total spent, referrals) as the rules engine sees it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plugin.contests.models import Contest
from plugin.contests.scoring import contest_window
from plugin.programs.selectors import compiled_cache
from plugin.referrals.identity import email_normalise
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.selectors import LIVE_STATUSES, customer_facts_from_history, referrer_facts
from rules.evaluate.contests import entrant_test
from rules.facts import ReferrerFacts


def contest_program(*, contest: Contest) -> Any:
    """The checked program version the contest came from (cached by source hash), or None."""

    version = contest.program_version
    if version is None:
        return None
    return compiled_cache.get_or_compile(key=version.source_hash, source=version.source)


def entrant_referrer_facts(*, contest: Contest, referrer_email: str, referrer_id: str,
                           now: datetime) -> ReferrerFacts:
    """The referrer's standing as the rules see it, from their code (or their e-mail alone)."""

    code = ReferralCode.objects.filter(
        installation_id=contest.installation_id, owner_email=referrer_email
    ).order_by("-active", "pk").first() or ReferralCode(
        installation_id=contest.installation_id, owner_email=referrer_email,
        owner_customer_id=referrer_id)
    return referrer_facts(installation=contest.installation, code=code, now=now)


def entrants_referrer_facts(*, contest: Contest, entrants: list[tuple[str, str]],
                            now: datetime) -> dict[str, ReferrerFacts]:
    """`entrant_referrer_facts` for many entrants ((e-mail, id) pairs) from three queries per
    chunk instead of three per entrant; the same facts (tests compare the two)."""
    found: dict[str, ReferrerFacts] = {}
    for start in range(0, len(entrants), CHUNK):
        found.update(_facts_chunk(contest, entrants[start:start + CHUNK], now))
    return found


CHUNK = 1000


def _facts_chunk(contest: Contest, entrants: list[tuple[str, str]], now: datetime
                 ) -> dict[str, ReferrerFacts]:
    from django.db.models import Count, Q

    installation_id = contest.installation_id
    emails = [email for email, _ in entrants]
    owner_ids = dict(entrants)
    for email, customer_id in ReferralCode.objects.filter(
            installation_id=installation_id, owner_email__in=emails).order_by(
            "active", "-pk").values_list("owner_email", "owner_customer_id"):
        owner_ids[email] = customer_id  # the active, then oldest code wins, as for one entrant
    history_of: dict[str, dict[int, tuple]] = {email: {} for email in emails}
    by_id: dict[str, list[str]] = {}
    for email, customer_id in owner_ids.items():
        if customer_id:
            by_id.setdefault(customer_id, []).append(email)
    by_email: dict[str, list[str]] = {}
    for email in emails:
        by_email.setdefault(email_normalise(email), []).append(email)
    # the rows `paid_orders` gives for each one, fetched for the whole chunk at once
    rows = (CustomerOrder.objects.filter(installation_id=installation_id, paid_at__isnull=False,
                                         paid_at__lt=now)
            .exclude(status=CustomerOrder.Status.CANCELLED)
            .filter(Q(email__in=list(by_email)) | Q(customer_id__in=list(by_id)))
            .values_list("pk", "paid_at", "total", "currency", "email", "customer_id"))
    for pk, paid_at, total, currency, email, customer_id in rows.iterator(chunk_size=5000):
        owners = {*by_email.get(email, ()), *by_id.get(customer_id or "", ())}
        for owner in owners:
            history_of[owner][pk] = (paid_at, total, currency, pk)
    counts = {row["referrer_email"]: row for row in Referral.objects.filter(
        installation_id=installation_id, referrer_email__in=emails, status__in=LIVE_STATUSES,
    ).values("referrer_email").annotate(
        referees=Count("referee_email", distinct=True),
        paid=Count("referee_email", distinct=True, filter=Q(status=Referral.Status.CONVERTED)),
    )}
    found = {}
    for email in emails:
        history = sorted(history_of[email].values(), key=lambda row: (row[0], row[3]))
        facts = customer_facts_from_history(
            [row[:3] for row in history], customer_id=owner_ids[email] or None, email=email,
            before=now, currency=None)
        count = counts.get(email, {})
        found[email] = ReferrerFacts(
            id=owner_ids[email] or None, email=email, orders=facts.orders,
            total_spent=facts.total_spent, referrals=count.get("referees") or 0,
            paid_referrals=count.get("paid") or 0)
    return found


def contest_entrants_admitted(*, contest: Contest, entrants: list[tuple[str, str]],
                              now: datetime) -> set[str] | None:
    """The e-mails of the entrants the contest's condition lets in, or None when it has no
    condition (everyone may enter). Facts are as at `now`, never after the contest's end."""

    program = contest_program(contest=contest)
    test = entrant_test(program, contest.name) if program is not None else None
    if test is None:
        return None
    as_at = min(now, contest_window(starts=contest.starts, ends=contest.ends)[1])
    facts = entrants_referrer_facts(contest=contest, entrants=entrants, now=as_at)
    return {email for email, referrer in facts.items() if test(referrer, as_at)}
