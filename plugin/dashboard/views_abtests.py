"""A/B test endpoints: the live test's results per variant with its verdict, and promoting the
winner to a new version (audited)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest, field, json_body
from plugin.dashboard.permissions import DISCOUNT_CHANGE, ORDER_DATA
from plugin.dashboard.views_program import version_json
from plugin.experiments.selectors import ab_test_results
from plugin.programs import services
from plugin.programs.selectors import program_published


@dashboard_api(methods=["GET"], permissions=ORDER_DATA)
def ab_tests(request: HttpRequest, *, installation, user) -> JsonResponse:
    live = program_published(installation=installation)
    test = getattr(live[1], "ab_test", None) if live else None
    if live is None or test is None:
        return JsonResponse({"test": None, "number": live[0].number if live else None})
    results = ab_test_results(installation=installation, test=test,
                              currency=live[1].currency or "USD")
    return JsonResponse({**results, "number": live[0].number})


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def ab_test_promote(request: HttpRequest, *, installation, user) -> JsonResponse:
    variant = field(json_body(request), "variant", str)
    program = services.program_get_or_create(installation=installation)
    try:
        version = services.program_variant_promote(program=program, variant=variant, actor=user)
    except services.PublishRefused as refusal:
        raise BadRequest(refusal.reason, status=422, diagnostics=refusal.diagnostics,
                         examples=refusal.examples) from refusal
    except services.ProgramError as exc:
        raise BadRequest(str(exc), status=422) from exc
    return JsonResponse({"version": version_json(version, live_id=version.pk)}, status=201)
