"""Contest scores from the referral records: what counts, and when each score was reached.

Only live referrals count: cancelled or fully refunded orders, and referrals refused or held
for review as suspected fraud, are left out. Net revenue subtracts partial refunds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from plugin.referrals.models import CustomerOrder, Referral
from plugin.rewards.models import OrderTrack, PointsEntry

FLAGGED = (Referral.Status.REFUSED, Referral.Status.REVIEW)
VOID_ORDER = (CustomerOrder.Status.CANCELLED, CustomerOrder.Status.REFUNDED)
SCORE_PLACES = Decimal("0.0001")
SCORES = ("referrals", "paid_referrals", "referred_revenue", "referred_net_revenue", "points")


@dataclass(frozen=True, slots=True)
class Score:
    referrer_email: str
    referrer_id: str
    score: Decimal
    reached_at: datetime  # when the entrant reached this score (the last event that counted)


def contest_window(*, starts: date, ends: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC; `ends` is inclusive, so the window closes the next midnight."""
    return (datetime.combine(starts, time.min, tzinfo=UTC),
            datetime.combine(ends + timedelta(days=1), time.min, tzinfo=UTC))


def contest_scores(*, contest: Any, referrer_email: str | None = None) -> dict[str, Score]:
    """Every entrant's score (or one entrant's), keyed by normalised e-mail; zero scores omitted."""
    if contest.score not in SCORES:
        raise ValueError(f"unknown contest score {contest.score!r}")
    start, end = contest_window(starts=contest.starts, ends=contest.ends)
    if contest.score == "referrals":
        return _referral_counts(contest.installation_id, start, end, referrer_email)
    if contest.score == "points":
        return _points(contest.installation_id, start, end, referrer_email)
    return _paid_orders(contest, start, end, referrer_email)


def _referral_counts(
    installation_id: int, start: datetime, end: datetime, email: str | None
) -> dict[str, Score]:
    rows = Referral.objects.filter(
        installation_id=installation_id, created__gte=start, created__lt=end
    ).exclude(status__in=FLAGGED).exclude(referrer_email="")
    if email is not None:
        rows = rows.filter(referrer_email=email)
    # a friend counts once: the first time they were referred
    first: dict[str, dict[str, datetime]] = defaultdict(dict)
    ids: dict[str, str] = {}
    for referrer, referrer_id, referee, created in rows.values_list(
        "referrer_email", "referrer_id", "referee_email", "created"
    ).iterator():
        seen = first[referrer].get(referee)
        first[referrer][referee] = created if seen is None else min(seen, created)
        ids[referrer] = ids.get(referrer) or referrer_id
    return {
        r: Score(r, ids[r], Decimal(len(friends)), max(friends.values()))
        for r, friends in first.items()
    }


def _paid_orders(
    contest: Any, start: datetime, end: datetime, email: str | None
) -> dict[str, Score]:
    orders = (
        CustomerOrder.objects.filter(
            installation_id=contest.installation_id,
            referral__isnull=False,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .exclude(status__in=VOID_ORDER)
        .exclude(referral__status__in=FLAGGED)
        .exclude(referral__referrer_email="")
    )
    if contest.currency and contest.score != "paid_referrals":
        orders = orders.filter(currency=contest.currency)  # money scores stay in one currency
    if email is not None:  # through the referral's (installation, referrer e-mail) index
        orders = orders.filter(referral__installation_id=contest.installation_id,
                               referral__referrer_email=email)
    track = OrderTrack.objects.filter(installation_id=contest.installation_id,
                                      order_id=OuterRef("order_id"))
    orders = orders.annotate(voided=Exists(track.filter(voided_at__isnull=False))).filter(
        voided=False)
    if contest.score != "paid_referrals":
        return _revenue(contest, orders, track)
    friends: dict[str, dict[str, datetime]] = defaultdict(dict)
    ids: dict[str, str] = {}
    rows = orders.values_list(
        "email", "paid_at", "referral__referrer_email", "referral__referrer_id"
    ).iterator(chunk_size=10_000)
    for referee, paid_at, referrer, referrer_id in rows:
        ids[referrer] = ids.get(referrer) or referrer_id
        seen = friends[referrer].get(referee)  # a friend counts once, from their first order
        friends[referrer][referee] = paid_at if seen is None else min(seen, paid_at)
    return {r: Score(r, ids[r], Decimal(len(f)), max(f.values())) for r, f in friends.items()}


def _revenue(contest: Any, orders: Any, track: Any) -> dict[str, Score]:
    """Referred revenue summed in the database, per referrer (net: less each order's refunds)."""
    money = DecimalField(max_digits=20, decimal_places=4)
    value: Any = F("total")
    if contest.score == "referred_net_revenue":
        refunded = Coalesce(Subquery(track.values("refunded")[:1]), Value(Decimal(0)),
                            output_field=money)
        value = Greatest(F("total") - refunded, Value(Decimal(0)), output_field=money)
    rows = (
        orders.annotate(value=value)
        .filter(value__gt=0)
        .values("referral__referrer_email")
        .annotate(score=Sum("value"), reached=Max("paid_at"), rid=Max("referral__referrer_id"))
        .values_list("referral__referrer_email", "rid", "score", "reached")
    )
    # SQLite sums decimals as floats: back to the score table's 4 places (PostgreSQL is exact)
    return {r: Score(r, rid or "", Decimal(str(score)).quantize(SCORE_PLACES), reached)
            for r, rid, score, reached in rows.iterator(chunk_size=10_000)}


def _points(
    installation_id: int, start: datetime, end: datetime, email: str | None
) -> dict[str, Score]:
    rows = PointsEntry.objects.filter(
        installation_id=installation_id, points__gt=0, created_at__gte=start, created_at__lt=end
    )
    if email is not None:
        rows = rows.filter(email=email)
    totals: dict[str, int] = defaultdict(int)
    reached: dict[str, datetime] = {}
    ids: dict[str, str] = {}
    for who, customer_id, points, created in rows.values_list(
        "email", "customer_id", "points", "created_at"
    ).iterator():
        totals[who] += points
        reached[who] = max(reached.get(who, created), created)
        ids[who] = ids.get(who) or customer_id
    return {w: Score(w, ids[w], Decimal(totals[w]), reached[w]) for w in totals}
