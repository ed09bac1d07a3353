"""Program endpoints: the draft, publish, roll back, versions, diff and the audit log."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest, field, int_param, json_body
from plugin.dashboard.permissions import CUSTOMER_DATA, DISCOUNT_CHANGE
from plugin.programs import selectors, services
from plugin.programs.models import ProgramVersion
from plugin.programs.reports import to_jsonable

# Audit actions of the settings and playbook pages, which the program's choices do not list.
AUDIT_LABELS = {
    "settings_changed": "Settings changed", "code_deactivated": "Code deactivated",
    "code_rotated": "Code rotated", "message_saved": "Message saved",
    "message_reset": "Message reset", "return_rate_changed": "Return rate changed",
    "dead_letter_retried": "Dead letter retried",
}


def version_json(version: ProgramVersion, *, live_id: int | None) -> dict:
    return {
        "number": version.number,
        "source_hash": version.source_hash,
        "published_at": version.published_at.isoformat(),
        "published_by": version.published_by_email,
        "is_live": version.pk == live_id,
        "static_report": version.static_report,
    }


def program_json(program) -> dict:
    live = program.current_version
    return {
        "name": program.name,
        "draft": program.draft_source,
        "updated_at": program.updated_at.isoformat() if program.updated_at else None,
        "updated_by": program.updated_by_email,
        "live_version": live.number if live else None,
        "live_source_hash": live.source_hash if live else None,
        "draft_source_hash": services.source_hash(program.draft_source),
    }


def _version_or_404(program, number: int) -> ProgramVersion:
    version = selectors.program_version_get(program=program, number=number)
    if version is None:
        raise BadRequest(f"version {number} does not exist", status=404)
    return version


@dashboard_api(methods=["GET"])
def program_detail(request: HttpRequest, *, installation, user) -> JsonResponse:
    program = services.program_get_or_create(installation=installation)
    versions = selectors.program_versions(program=program)
    return JsonResponse({
        "program": program_json(program),
        "versions": [version_json(v, live_id=program.current_version_id) for v in versions],
        "user": {"email": user.email, "user_id": user.user_id},
    })


@dashboard_api(methods=["PUT", "POST"], permissions=DISCOUNT_CHANGE)
def program_draft(request: HttpRequest, *, installation, user) -> JsonResponse:
    source = field(json_body(request), "source", str)
    program = services.program_get_or_create(installation=installation)
    try:
        services.program_save_draft(program=program, source=source, actor=user)
    except services.ProgramError as exc:
        raise BadRequest(str(exc), status=413) from exc
    return JsonResponse({"program": program_json(program)})


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def program_publish(request: HttpRequest, *, installation, user) -> JsonResponse:
    data = json_body(request)
    program = services.program_get_or_create(installation=installation)
    source = field(data, "source", str, required=False)
    if source is not None and source != program.draft_source:
        # Publish exactly what the merchant sees: save the editor's text first.
        services.program_save_draft(program=program, source=source, actor=user)
    try:
        version = services.program_publish(program=program, actor=user)
    except services.PublishRefused as refusal:
        raise BadRequest(refusal.reason, status=422, diagnostics=refusal.diagnostics,
                         examples=refusal.examples) from refusal
    return JsonResponse({
        "version": version_json(version, live_id=version.pk),
        "program": program_json(program),
    }, status=201)


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def program_rollback(request: HttpRequest, *, installation, user) -> JsonResponse:
    number = field(json_body(request), "number", int)
    program = services.program_get_or_create(installation=installation)
    version = _version_or_404(program, number)
    services.program_rollback(program=program, version=version, actor=user)
    return JsonResponse({"program": program_json(program),
                         "version": version_json(version, live_id=version.pk)})


@dashboard_api(methods=["GET"])
def program_version_detail(request: HttpRequest, *, installation, user, number: int):
    program = services.program_get_or_create(installation=installation)
    version = _version_or_404(program, number)
    return JsonResponse({**version_json(version, live_id=program.current_version_id),
                         "source": version.source})


@dashboard_api(methods=["GET"])
def program_diff(request: HttpRequest, *, installation, user) -> JsonResponse:
    """`?a=<number>&b=<number>`; `b` may be `draft` to compare the draft with a version."""
    program = services.program_get_or_create(installation=installation)
    a = _version_or_404(program, int_param(request, "a", default=None, low=1, high=10**9))
    if request.GET.get("b") == "draft":
        diff = selectors.program_diff(a=a, b=program.draft_source, b_label="draft")
    else:
        b = _version_or_404(program, int_param(request, "b", default=None, low=1, high=10**9))
        diff = selectors.program_diff(a=a, b=b)
    return JsonResponse({"diff": diff})


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def audit_log(request: HttpRequest, *, installation, user) -> JsonResponse:
    limit = int_param(request, "limit", default=100, low=1, high=500)
    entries = selectors.audit_log_list(installation=installation, limit=limit)
    return JsonResponse({"entries": [
        {"at": entry.at.isoformat(), "actor": entry.actor_email, "actor_id": entry.actor_user_id,
         "action": entry.action,
         "action_label": AUDIT_LABELS.get(entry.action, entry.get_action_display()),
         "object": f"{entry.object_type}:{entry.object_id}", "details": to_jsonable(entry.details)}
        for entry in entries
    ]})
