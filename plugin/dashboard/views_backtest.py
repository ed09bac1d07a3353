"""Backtest endpoints: start a job over the last N orders (the draft compared with the live
version, an earlier version, another draft or nothing), then poll its row for progress."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.backtest import (
    BacktestRefused,
    backtest_job_create,
    backtest_job_mark_stalled,
)
from plugin.dashboard.http import BadRequest, field, json_body
from plugin.dashboard.models import BacktestJob
from plugin.dashboard.permissions import ORDER_DATA
from plugin.dashboard.tasks import backtest_job_start
from plugin.programs.models import AuditAction
from plugin.programs.services import audit_record, program_get_or_create


def job_json(job: BacktestJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "source": job.source,
        "requested": job.requested,
        "total": job.total,
        "processed": job.processed,
        "published_number": job.published_number,
        "compare_label": job.compare_label,
        "assume_referred": job.assume_referred,
        "result": job.result,
        "error": job.error,
        "created_by": job.created_by_email,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@dashboard_api(methods=["POST"], permissions=ORDER_DATA)
def backtest_start(request: HttpRequest, *, installation, user) -> JsonResponse:
    data = json_body(request)
    draft = field(data, "draft", str, required=False)
    if draft is None:
        draft = program_get_or_create(installation=installation).draft_source
    compare = field(data, "compare", (str, int), required=False, default="live")
    if isinstance(compare, bool):
        raise BadRequest("field 'compare' must be \"live\", \"none\", \"source\" or a version")
    try:
        job = backtest_job_create(
            installation=installation, user=user, draft_source=draft,
            count=field(data, "count", int, required=False, default=200),
            source=field(data, "source", str, required=False, default="stored"),
            assume_referred=field(data, "assume_referred", bool, required=False, default=False),
            compare=compare,
            compare_source=field(data, "compare_source", str, required=False),
        )
    except BacktestRefused as exc:
        raise BadRequest(str(exc), status=422) from exc
    audit_record(installation=installation, actor=user, action=AuditAction.BACKTEST_STARTED,
                 object_type="backtest", object_id=job.pk,
                 details={"count": job.requested, "source": job.source,
                          "assume_referred": job.assume_referred, "hash": job.draft_hash,
                          "compared_with": job.compare_label or "nothing"})
    backtest_job_start(job=job)
    return JsonResponse(job_json(job), status=202)


@dashboard_api(methods=["GET"], permissions=ORDER_DATA)
def backtest_detail(request: HttpRequest, *, installation, user, job_id: int) -> JsonResponse:
    job = BacktestJob.objects.filter(installation=installation, pk=job_id).first()
    if job is None:
        raise BadRequest(f"backtest {job_id} does not exist", status=404)
    return JsonResponse(job_json(backtest_job_mark_stalled(job=job)))
