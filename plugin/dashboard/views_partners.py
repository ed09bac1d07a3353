"""The Partners section: affiliate partners (bloggers, partner shops) with their codes, share
links and QR images, their commission program, a payout statement per month (JSON and CSV) and
marking a month paid. Changes need MANAGE_DISCOUNTS, order figures MANAGE_ORDERS; every change
is audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from plugin.affiliates.links import partner_link, partner_qr_url
from plugin.affiliates.models import Partner, PartnerCode
from plugin.affiliates.payouts import payout_mark_paid
from plugin.affiliates.programs import commission_program_check, default_program
from plugin.affiliates.selectors import (
    partner_get,
    partner_order_figures,
    partner_visit_counts,
    partners_list,
)
from plugin.affiliates.services import (
    PartnerError,
    partner_code_create,
    partner_code_deactivate,
    partner_create,
    partner_update,
)
from plugin.affiliates.statement import Statement, partner_statement, statement_lines
from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.csv_export import csv_response
from plugin.dashboard.http import BadRequest, field, json_body
from plugin.dashboard.permissions import DISCOUNT_CHANGE, ORDER_DATA
from plugin.programs.services import audit_record
from rules.facts.money import Money, is_currency

PAY_PERMISSIONS = (*DISCOUNT_CHANGE, *ORDER_DATA)  # a payout changes money and reads orders
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_PROGRAM = 64 * 1024
LINES_SHOWN = 500  # on the page; the CSV has every line


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _amount(amount: Any, currency: str) -> str:
    return str(Money.of(amount, currency).amount) if is_currency(currency) else str(amount)


def _money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": _amount(amount, currency), "currency": currency}


def _code_json(code: PartnerCode, base: str) -> dict[str, Any]:
    return {"id": code.pk, "code": code.code, "label": code.label, "active": code.active,
            "created": code.created_at.isoformat(),
            "link": partner_link(code=code, request_base=base) if code.active else None,
            "qr_svg": partner_qr_url(code=code, kind="svg", request_base=base)
            if code.active else None,
            "qr_png": partner_qr_url(code=code, kind="png", request_base=base)
            if code.active else None}


def _partner_json(partner: Partner, base: str, figures: list[dict] | None = None,
                  visits: dict[str, int] | None = None) -> dict:
    return {"id": partner.pk, "name": partner.name, "email": partner.email,
            "visits": visits or {"link": 0, "qr": 0},
            "kind": partner.kind, "active": partner.active,
            "program_source": partner.program_source,
            "codes": [_code_json(code, base) for code in partner.codes.all()],
            "orders": [{"currency": row["currency"], "orders": row["orders"],
                        "revenue": _money(row["revenue"], row["currency"])}
                       for row in figures or []]}


def _partner_or_404(installation, partner_id: int) -> Partner:
    partner = partner_get(installation=installation, partner_id=partner_id)
    if partner is None:
        raise BadRequest(f"partner {partner_id} does not exist", status=404)
    return partner


def _refused(error: PartnerError) -> BadRequest:
    return BadRequest(error.reason, status=error.status, **error.extra)


@dashboard_api(methods=["GET"], permissions=ORDER_DATA)
def partners(request: HttpRequest, *, installation, user) -> JsonResponse:
    """Every partner with codes, links and the orders they brought; the ready program."""
    figures = partner_order_figures(installation=installation)
    visits = partner_visit_counts(installation=installation)
    base = _base(request)
    return JsonResponse({
        "partners": [_partner_json(p, base, figures.get(p.pk), visits.get(p.pk))
                     for p in partners_list(installation=installation)],
        "kinds": [{"kind": k, "label": label} for k, label in Partner.Kind.choices],
        "default_program": default_program()})


def _program(body: dict) -> str | None:
    source = field(body, "program_source", str, required=False)
    if source is not None and len(source) > MAX_PROGRAM:
        raise BadRequest(f"the program is longer than {MAX_PROGRAM} characters")
    return source


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def partner_new(request: HttpRequest, *, installation, user) -> JsonResponse:
    body = json_body(request)
    try:
        with transaction.atomic():
            partner = partner_create(
                installation=installation, name=field(body, "name", str),
                email=field(body, "email", str),
                kind=field(body, "kind", str, required=False, default=Partner.Kind.BLOGGER),
                program_source=_program(body), now=timezone.now())
            audit_record(installation=installation, actor=user, action="partner_created",
                         object_type="partner", object_id=partner.pk,
                         details={"name": partner.name, "email": partner.email,
                                  "code": partner.codes.get().code})
    except PartnerError as error:
        raise _refused(error) from error
    return JsonResponse({"partner": _partner_json(partner, _base(request))}, status=201)


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def partner_save(request: HttpRequest, *, installation, user, partner_id: int) -> JsonResponse:
    """Change the name, the commission program (checked first) or pause / resume."""
    body = json_body(request)
    with transaction.atomic():
        partner = _partner_or_404(installation, partner_id)
        try:
            changed = partner_update(
                partner=partner, now=timezone.now(),
                name=field(body, "name", str, required=False),
                program_source=_program(body),
                active=field(body, "active", bool, required=False))
        except PartnerError as error:
            raise _refused(error) from error
        if changed:
            audit_record(installation=installation, actor=user, action="partner_updated",
                         object_type="partner", object_id=partner.pk,
                         details={"changed": changed, "name": partner.name,
                                  "active": partner.active})
    return JsonResponse({"partner": _partner_json(partner, _base(request)),
                         "changed": changed})


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def partner_check(request: HttpRequest, *, installation, user) -> JsonResponse:
    """Diagnostics of a commission program as typed (nothing stored)."""
    diagnostics = commission_program_check(_program(json_body(request)) or "")
    return JsonResponse({"ok": not any(d["severity"] == "error" for d in diagnostics),
                         "diagnostics": diagnostics})


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def partner_code_new(request: HttpRequest, *, installation, user,
                     partner_id: int) -> JsonResponse:
    body = json_body(request)
    with transaction.atomic():
        partner = _partner_or_404(installation, partner_id)
        code = partner_code_create(partner=partner, now=timezone.now(),
                                   label=field(body, "label", str, required=False, default=""))
        audit_record(installation=installation, actor=user, action="partner_code_created",
                     object_type="partner", object_id=partner.pk,
                     details={"code": code.code, "label": code.label})
    return JsonResponse({"code": _code_json(code, _base(request))}, status=201)


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def partner_code_off(request: HttpRequest, *, installation, user, code_id: int) -> JsonResponse:
    with transaction.atomic():
        code = (PartnerCode.objects.select_related("partner")
                .filter(installation=installation, pk=code_id).first())
        if code is None:
            raise BadRequest(f"partner code {code_id} does not exist", status=404)
        if not code.active:
            raise BadRequest(f"{code.code} is already inactive", status=409)
        partner_code_deactivate(code=code, now=timezone.now())
        audit_record(installation=installation, actor=user, action="partner_code_deactivated",
                     object_type="partner", object_id=code.partner_id,
                     details={"code": code.code, "partner": code.partner.name})
    return JsonResponse({"code": _code_json(code, _base(request))})


def _period(text: str | None) -> tuple[date, date]:
    """`2026-12` → the month's first day and the next month's (exclusive), in UTC."""
    match = _MONTH.match((text or "").strip())
    if match is None:
        raise BadRequest("period is a month, written YYYY-MM")
    year, month = int(match[1]), int(match[2])
    start = date(year, month, 1)
    return start, date(year + month // 12, month % 12 + 1, 1)


def _statement_json(statement: Statement) -> dict[str, Any]:
    lines = statement_lines(partner=statement.partner, start=statement.start,
                            end=statement.end, limit=LINES_SHOWN)
    return {
        "partner": {"id": statement.partner.pk, "name": statement.partner.name},
        "period": {"start": statement.start.isoformat(), "end": statement.end.isoformat()},
        "totals": [{
            "currency": t.currency, "orders": t.orders, "revenue": _money(t.revenue, t.currency),
            "commission": _money(t.commission, t.currency),
            "clawbacks": _money(t.clawbacks, t.currency), "net": _money(t.net, t.currency),
            "unpaid": _money(t.unpaid, t.currency), "held_count": t.held_count,
            "held": _money(t.held, t.currency), "voided_count": t.voided_count,
        } for t in statement.totals.values()],
        "lines": [{
            "kind": x.kind, "at": x.at.isoformat(), "order_number": x.order_number,
            "order_id": x.order_id, "ordered_at": x.ordered_at.isoformat(),
            "order_total": _money(x.order_total, x.currency),
            "amount": _money(x.amount, x.currency), "paid_in": x.paid_in,
        } for x in lines],
        "line_count": len(statement.payable),
        "payouts": [{"id": p.pk, "currency": p.currency, "net": _money(p.net, p.currency),
                     "paid_at": p.paid_at.isoformat(), "paid_by": p.paid_by,
                     "reference": p.reference} for p in statement.payouts],
    }


@dashboard_api(methods=["GET"], permissions=ORDER_DATA)
def partner_statement_view(request: HttpRequest, *, installation, user,
                           partner_id: int) -> JsonResponse:
    """`?period=YYYY-MM`: the month's orders, commissions, clawbacks and net, per currency."""
    start, end = _period(request.GET.get("period"))
    partner = _partner_or_404(installation, partner_id)
    return JsonResponse(_statement_json(partner_statement(partner=partner, start=start,
                                                          end=end)))


CSV_HEADER = ("row", "at", "order_number", "order_id", "ordered_at", "order_total", "currency",
              "amount", "payout")


def _csv_rows(statement: Statement) -> Iterator[tuple]:
    for x in statement_lines(partner=statement.partner, start=statement.start,
                             end=statement.end):
        yield (x.kind, x.at.isoformat(), x.order_number, x.order_id, x.ordered_at.isoformat(),
               _amount(x.order_total, x.currency), x.currency, _amount(x.amount, x.currency),
               x.paid_in or "")
    for t in statement.totals.values():
        for name, value in (("orders brought", t.orders), ("revenue", t.revenue),
                            ("commission", t.commission), ("clawbacks", t.clawbacks),
                            ("net", t.net), ("held (not payable yet)", t.held)):
            shown = value if name == "orders brought" else _amount(value, t.currency)
            yield (f"total {name}", "", "", "", "", "", t.currency, shown, "")


@dashboard_api(methods=["GET"], permissions=ORDER_DATA)
def partner_statement_csv(request: HttpRequest, *, installation, user,
                          partner_id: int) -> HttpResponse:
    start, end = _period(request.GET.get("period"))
    partner = _partner_or_404(installation, partner_id)
    statement = partner_statement(partner=partner, start=start, end=end)
    return csv_response(filename=f"statement-partner-{partner.pk}-{start:%Y-%m}.csv",
                        header=CSV_HEADER, rows=_csv_rows(statement))


@dashboard_api(methods=["POST"], permissions=PAY_PERMISSIONS)
def partner_payout(request: HttpRequest, *, installation, user, partner_id: int) -> JsonResponse:
    """Mark a month paid: `{"period": "2026-12", "reference": "transfer 123"}`; audited."""
    body = json_body(request)
    start, end = _period(field(body, "period", str))
    partner = _partner_or_404(installation, partner_id)
    try:
        made = payout_mark_paid(partner=partner, start=start, end=end, actor=user,
                                now=timezone.now(),
                                reference=field(body, "reference", str, required=False,
                                                default=""))
    except PartnerError as error:
        raise _refused(error) from error
    return JsonResponse(_statement_json(partner_statement(partner=partner, start=start,
                                                          end=end)) | {"paid": len(made)},
                        status=201)
