"""The sleeping-customers panel: what they are worth (sleeping customers x return rate x their
average order), how many woke after an offer, and who is asleep, with rhythm and days overdue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest, field, int_param, json_body
from plugin.dashboard.permissions import CUSTOMER_DATA, DISCOUNT_CHANGE
from plugin.playbook.models import PlaybookSettings
from plugin.playbook.selectors import customers_asleep, lost_revenue_estimate
from plugin.programs.reports import to_jsonable
from plugin.programs.services import audit_record
from rules.facts.money import Money, is_currency

RATE_STEP = Decimal("0.0001")  # the stored precision (4 decimals)


def parse_rate(raw: str) -> Decimal:
    """A return rate given as a percentage ("30" or "12.5"), as a fraction (0.3, 0.125)."""
    try:
        percent = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise BadRequest("the return rate must be a number of percent") from exc
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise BadRequest("the return rate must be between 0 and 100 percent")
    rate = percent / 100
    if rate != rate.quantize(RATE_STEP):
        raise BadRequest("the return rate has at most two decimals of a percent")
    return rate.quantize(RATE_STEP)


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f")


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def sleeping(request: HttpRequest, *, installation, user) -> JsonResponse:
    """`?rate=<percent>` tries another return rate without saving it; `?limit=` caps the list."""
    now = timezone.now()
    raw = request.GET.get("rate", "").strip()
    rate = parse_rate(raw) if raw else None
    limit = int_param(request, "limit", default=200, low=1, high=1000)
    lost = lost_revenue_estimate(installation=installation, now=now, return_rate=rate)
    asleep = customers_asleep(installation=installation, now=now)
    return JsonResponse({
        "asleep": lost.asleep,
        "return_rate": _percent(lost.expected_return_rate),
        "estimate": [to_jsonable(money) for money in lost.estimate],
        "offers": lost.offers, "woke_after_offer": lost.woke_after_offer,
        "open_offers": lost.open_offers,
        "customers": [{
            "email": r.email, "orders": r.orders,
            "usual_days": round(r.usual_interval.total_seconds() / 86400, 1),
            "last_order_at": r.last_order_at.isoformat(),
            "next_order_at": r.next_order_at.isoformat(),
            "days_overdue": max(0, (now - r.next_order_at).days),
            "periods_missed": r.periods_missed,
            "average_order": to_jsonable(Money.of(r.average_order, r.currency))
            if is_currency(r.currency) else None,
        } for r in asleep[:limit]],
    })


@dashboard_api(methods=["PUT", "POST"], permissions=DISCOUNT_CHANGE)
def sleeping_rate(request: HttpRequest, *, installation, user) -> JsonResponse:
    """`{"rate": "<percent>"}` becomes the shop's expected return rate."""
    data = json_body(request)
    raw = field(data, "rate", (str, int, float))
    if isinstance(raw, bool):
        raise BadRequest("the return rate must be a number of percent")
    rate = parse_rate(str(raw))
    with transaction.atomic():
        settings, _ = PlaybookSettings.objects.select_for_update().get_or_create(
            installation=installation)
        before = settings.expected_return_rate
        settings.expected_return_rate = rate
        settings.save(update_fields=["expected_return_rate", "updated"])
        audit_record(installation=installation, actor=user, action="return_rate_changed",
                     object_type="playbook_settings", object_id=settings.pk,
                     details={"from": _percent(before), "to": _percent(rate)})
    return JsonResponse({"return_rate": _percent(rate)})
