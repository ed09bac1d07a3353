"""The Best customers section: counts per segment, customers ranked by advocate score (whom to
invite first) with a segment filter, the same list as a CSV download, and a recompute on demand.
Everything names customers, so every endpoint needs MANAGE_USERS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.csv_export import csv_response
from plugin.dashboard.http import BadRequest, int_param
from plugin.dashboard.permissions import CUSTOMER_DATA
from plugin.segments.cuts import cuts_get
from plugin.segments.models import CustomerSegment
from plugin.segments.rules import SEGMENT_LABELS, SEGMENTS
from plugin.segments.selectors import advocates_ranked, segment_counts
from plugin.segments.tasks import segments_recompute_task
from plugin.tasks import task_enqueue
from rules.facts.money import Money, is_currency

CSV_CHUNK = 2000
CSV_HEADER = ("rank", "email", "customer_id", "segment", "advocate_score", "recency",
              "frequency", "monetary_score", "orders", "first_order_at", "last_order_at",
              "currency", "spent", "referrals", "converted", "referred_revenue")


def _segment_param(request: HttpRequest) -> str | None:
    wanted = request.GET.get("segment", "").strip()
    if wanted and wanted not in SEGMENTS:
        raise BadRequest(f"unknown segment {wanted!r}; one of {', '.join(SEGMENTS)}")
    return wanted or None


def _amount(amount: Any, currency: str) -> str:
    """The amount in the currency's minor units (as stored for a code we do not know)."""
    return str(Money.of(amount, currency).amount) if is_currency(currency) else str(amount)


def _money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": _amount(amount, currency), "currency": currency}


def _advocate(row: CustomerSegment, rank: int) -> dict[str, Any]:
    return {
        "rank": rank, "email": row.email, "customer_id": row.customer_id,
        "segment": row.segment, "advocate_score": row.advocate_score,
        "recency": row.recency_score, "frequency": row.frequency_score,
        "monetary_score": row.monetary_score, "orders": row.orders,
        "last_order_at": row.last_order_at.isoformat(),
        "spent": _money(row.monetary, row.currency),
        "referrals": row.referrals, "converted": row.converted,
        "referred_revenue": _money(row.referred_revenue, row.currency),
    }


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def segments(request: HttpRequest, *, installation, user) -> JsonResponse:
    """`?segment=` narrows the list, `?limit=` and `?offset=` page through it."""
    segment = _segment_param(request)
    limit = int_param(request, "limit", default=100, low=1, high=1000)
    offset = int_param(request, "offset", default=0, low=0, high=10_000_000)
    counts = segment_counts(installation=installation)
    cuts = cuts_get(installation=installation)
    page = advocates_ranked(installation=installation, segment=segment)[offset:offset + limit]
    return JsonResponse({
        "computed_at": cuts.computed_at.isoformat() if cuts else None,
        "customers": sum(counts.values()),
        "segments": [{"segment": name, "label": SEGMENT_LABELS[name], "customers": count}
                     for name, count in counts.items()],
        "segment": segment,
        "total": counts[segment] if segment else sum(counts.values()),
        "advocates": [_advocate(row, offset + n + 1) for n, row in enumerate(page)],
    })


def _csv_rows(rows: Any) -> Iterator[tuple]:
    for rank, row in enumerate(rows.iterator(chunk_size=CSV_CHUNK), start=1):
        yield (rank, row.email, row.customer_id, row.segment, row.advocate_score,
               row.recency_score, row.frequency_score, row.monetary_score, row.orders,
               row.first_order_at.isoformat(), row.last_order_at.isoformat(), row.currency,
               _amount(row.monetary, row.currency), row.referrals, row.converted,
               _amount(row.referred_revenue, row.currency))


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def segments_csv(request: HttpRequest, *, installation, user) -> HttpResponse:
    """The whole ranked list (or one segment's) as CSV, streamed."""
    segment = _segment_param(request)
    rows = advocates_ranked(installation=installation, segment=segment)
    day = timezone.now().date().isoformat()
    return csv_response(filename=f"advocates-{segment or 'all'}-{day}.csv", header=CSV_HEADER,
                        rows=_csv_rows(rows))


@dashboard_api(methods=["POST"], permissions=CUSTOMER_DATA)
def segments_recompute(request: HttpRequest, *, installation, user) -> JsonResponse:
    """Recompute the shop's segments now (after the response; the nightly run does the same)."""
    task_enqueue(segments_recompute_task, installation_id=installation.pk)
    return JsonResponse({"queued": True}, status=202)
