"""Editor and sandbox endpoints: check, format, examples, sandbox runs, vocabulary, gallery,
and the shop's recent orders as sandbox facts."""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse

import rules
from plugin.dashboard import language, recent_orders
from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.decisions import decision_view
from plugin.dashboard.http import BadRequest, field, json_body
from plugin.dashboard.permissions import CUSTOMER_DATA, ORDER_DATA
from plugin.dashboard.sandbox_facts import facts_from_form
from plugin.programs.services import MAX_SOURCE_CHARS
from plugin.rewards.skips import currency_mismatch
from rules import EvaluationError, RulesError

logger = logging.getLogger(__name__)
MAX_TYPES = rules.tools.expr_types.MAX_TYPES  # a module name, so a test can lower it


def _source(data: dict) -> str:
    source = field(data, "source", str)
    if len(source) > MAX_SOURCE_CHARS:
        raise BadRequest(f"the program is longer than {MAX_SOURCE_CHARS} characters", status=413)
    return source


@dashboard_api(methods=["POST"])
def check(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse(language.check_source(_source(json_body(request))))


@dashboard_api(methods=["POST"])
def types(request: HttpRequest, *, installation, user) -> JsonResponse:
    """The editor asks once per checked version, on the first hover (not with every check)."""
    return JsonResponse(_types_json(_source(json_body(request))))


def _types_json(source: str) -> dict:
    """The type (and constant value) of each expression, for the editor's hover: none while the
    program has syntax errors; at most MAX_TYPES so a huge program cannot swell the response."""
    found = rules.expression_types(source, language.FILENAME, limit=MAX_TYPES + 1)
    return {
        "types": [{"from": {"line": t.span.line, "column": t.span.column},
                   "to": {"line": t.span.end_line, "column": t.span.end_column},
                   "type": t.type, "value": t.value} for t in found[:MAX_TYPES]],
        "types_truncated": len(found) > MAX_TYPES,
    }


@dashboard_api(methods=["POST"])
def format_source(request: HttpRequest, *, installation, user) -> JsonResponse:
    source = _source(json_body(request))
    try:
        formatted = rules.format_source(source)
    except RulesError as exc:
        # Formatting needs a program that checks; say where it does not.
        _program, diagnostics = language.compiled_or_diagnostics(source)
        raise BadRequest("the program has errors; fix them to format it", status=422,
                         diagnostics=diagnostics) from exc
    return JsonResponse({"source": formatted})


@dashboard_api(methods=["POST"])
def examples(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse(language.run_examples(_source(json_body(request))))


@dashboard_api(methods=["POST"])
def sandbox(request: HttpRequest, *, installation, user) -> JsonResponse:
    data = json_body(request)
    source = _source(data)
    facts = facts_from_form(data.get("facts"))
    program, diagnostics = language.compiled_or_diagnostics(source)
    if program is None:
        raise BadRequest("the program has errors", status=422, diagnostics=diagnostics)
    skipped = currency_mismatch(program_currency=program.currency, order_currency=facts.currency)
    if skipped is not None:  # as the live app does: the order is outside the program, no error
        return JsonResponse({"decision": None, "skipped": skipped,
                             "currency": program.currency})
    try:
        decision = program.explain(facts)
    except EvaluationError as exc:
        raise BadRequest(f"cannot run on these facts: {exc}", status=422) from exc
    return JsonResponse({"decision": decision_view(decision, now=facts.now)})


@dashboard_api(methods=["GET"])
def vocabulary(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse({"keywords": list(language.keywords()), "facts": language.fact_names()})


@dashboard_api(methods=["GET"])
def gallery(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse({"programs": language.gallery()})


@dashboard_api(methods=["GET"], permissions=(*ORDER_DATA, *CUSTOMER_DATA))
def orders_recent(request: HttpRequest, *, installation, user) -> JsonResponse:
    try:
        found = recent_orders.recent_order_forms(installation=installation)
    except recent_orders.OrdersUnavailable as exc:
        logger.warning("recent orders of installation %s: %s", installation.pk, exc)
        raise BadRequest(str(exc), status=502) from exc
    return JsonResponse(found)
