"""Who may enter a contest: the program's `entrants referrers where …` condition, evaluated on
each referrer's own standing (orders, total spent, referrals) as the rules engine sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from plugin.contests.models import Contest
from plugin.contests.scoring import contest_window
from rules.facts import ReferrerFacts

Admits = Callable[[str, str], bool]  # (referrer e-mail, referrer id) -> may enter


def contest_program(*, contest: Contest) -> Any:
    """The checked program version the contest came from (cached by source hash), or None."""
    from plugin.programs.selectors import compiled_cache

    version = contest.program_version
    if version is None:
        return None
    return compiled_cache.get_or_compile(key=version.source_hash, source=version.source)


def entrant_referrer_facts(*, contest: Contest, referrer_email: str, referrer_id: str,
                           now: datetime) -> ReferrerFacts:
    """The referrer's standing as the rules see it, from their code (or their e-mail alone)."""
    from plugin.referrals.models import ReferralCode
    from plugin.referrals.selectors import referrer_facts

    code = ReferralCode.objects.filter(
        installation_id=contest.installation_id, owner_email=referrer_email
    ).order_by("-active", "pk").first() or ReferralCode(
        installation_id=contest.installation_id, owner_email=referrer_email,
        owner_customer_id=referrer_id)
    return referrer_facts(installation=contest.installation, code=code, now=now)


def contest_entrant_test(*, contest: Contest, now: datetime) -> Admits | None:
    """The contest's entrant condition as a test, or None when every referrer may enter.
    Facts are read as at `now`, never after the contest's end."""
    from rules.contests import entrant_test

    program = contest_program(contest=contest)
    test = entrant_test(program, contest.name) if program is not None else None
    if test is None:
        return None
    as_at = min(now, contest_window(starts=contest.starts, ends=contest.ends)[1])

    def admits(referrer_email: str, referrer_id: str) -> bool:
        facts = entrant_referrer_facts(contest=contest, referrer_email=referrer_email,
                                       referrer_id=referrer_id, now=as_at)
        return test(facts, as_at)
    return admits
