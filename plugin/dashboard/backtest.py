"""Backtests: run the draft and the program it is compared with (the live version, an earlier
version or another draft) over the same recent orders in one pass, as a background job that
records its progress on its row, and sum up both side by side (`backtest_tally`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

from plugin.dashboard import backtest_sources
from plugin.dashboard.backtest_tally import Tally, summarise
from plugin.dashboard.language import compiled_or_diagnostics
from plugin.dashboard.models import BacktestJob
from plugin.dashboard.recent_orders import UnreadableOrder
from plugin.programs.selectors import program_get, program_published, program_version_get
from plugin.programs.services import source_hash
from rules.evaluate.limits import UsageTally
from rules.source import EvaluationError

logger = logging.getLogger(__name__)

MAX_ORDERS = 5000
PROGRESS_EVERY = 25  # orders at least between two progress writes
PROGRESS_STEPS = 200  # at most this many progress writes a job: a write costs more than an order
STALLED_AFTER = timedelta(minutes=10)
MAX_ERRORS_SHOWN = 20  # orders Saleor failed, named in the result; the count covers them all


class BacktestRefused(ValueError):
    """The backtest cannot start as asked (draft does not check, bad count)."""


COMPARE_LIVE, COMPARE_NONE, COMPARE_SOURCE = "live", "none", "source"


def _compared(*, installation, compare: str | int, compare_source: str | None
              ) -> tuple[str, str, int | None]:
    """(source, label, version number) of the program the draft is compared with: the live
    version (none when nothing is published), a version by number, another draft, or nothing
    ("" source)."""
    if compare == COMPARE_NONE:
        return "", "", None
    if compare == COMPARE_LIVE:
        live = program_published(installation=installation)
        if live is None:
            return "", "", None
        return live[0].source, f"live version {live[0].number}", live[0].number
    if compare == COMPARE_SOURCE:
        if not compare_source or not compare_source.strip():
            raise BacktestRefused("the other draft is empty")
        program, _diagnostics = compiled_or_diagnostics(compare_source)
        if program is None:
            raise BacktestRefused("the other draft has errors; fix them to compare with it")
        return compare_source, "other draft", None
    if isinstance(compare, int) and not isinstance(compare, bool):
        program = program_get(installation=installation)
        version = program_version_get(program=program, number=compare) if program else None
        if version is None:
            raise BacktestRefused(f"there is no version {compare} to compare with")
        return version.source, f"version {version.number}", version.number
    raise BacktestRefused('compare with "live", "none", "source" or a version number')


def backtest_job_create(*, installation, user, draft_source: str, count: int, source: str,
                        assume_referred: bool, compare: str | int = COMPARE_LIVE,
                        compare_source: str | None = None) -> BacktestJob:
    """Checks the draft (and what it is compared with) and stores a queued job with both
    sources, so a version published meanwhile changes nothing; `backtest_job_start` runs it."""

    if not 1 <= count <= MAX_ORDERS:
        raise BacktestRefused(f"count must be between 1 and {MAX_ORDERS}")
    if source not in BacktestJob.Source.values:
        raise BacktestRefused(f"source must be one of {', '.join(BacktestJob.Source.values)}")
    program, _diagnostics = compiled_or_diagnostics(draft_source)
    if program is None:
        raise BacktestRefused("the draft has errors; fix them to backtest it")
    other_source, label, number = _compared(installation=installation, compare=compare,
                                            compare_source=compare_source)
    return BacktestJob.objects.create(
        installation=installation, source=source, draft_source=draft_source,
        draft_hash=source_hash(draft_source), published_number=number,
        compare_source=other_source, compare_label=label,
        assume_referred=assume_referred, requested=count, created_by_email=user.email,
    )


def _update(job_id: int, **fields: Any) -> None:
    # `update()` skips auto_now: stamp the row so a stalled job can be told from a slow one.
    BacktestJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def backtest_job_mark_stalled(*, job: BacktestJob) -> BacktestJob:
    """A job whose worker died (a restart) stops showing progress: after STALLED_AFTER without
    a word it is marked failed, so the page does not poll forever."""
    unfinished = (BacktestJob.Status.QUEUED, BacktestJob.Status.RUNNING)
    if job.status in unfinished and job.updated_at < timezone.now() - STALLED_AFTER:
        _update(job.pk, status=BacktestJob.Status.FAILED, finished_at=timezone.now(),
                error="the backtest stopped without finishing; run it again")
        job.refresh_from_db()
    return job


def backtest_run(*, job_id: int) -> None:
    """Runs one job to its end, writing progress every few orders; failures land on the row."""
    job = BacktestJob.objects.select_related("installation").get(pk=job_id)
    _update(job.pk, status=BacktestJob.Status.RUNNING)
    try:
        draft_program, _ = compiled_or_diagnostics(job.draft_source)
        if draft_program is None:
            raise BacktestRefused("the draft has errors")
        compared_program = None
        if job.compare_source:
            compared_program, _ = compiled_or_diagnostics(job.compare_source)
            if compared_program is None:
                raise BacktestRefused("the program compared with has errors")
        orders = (backtest_sources.saleor_orders if job.source == BacktestJob.Source.SALEOR
                  else backtest_sources.stored_orders)
        draft, compared = Tally(), (Tally() if compared_program is not None else None)
        # The program's currency when it names one (a shop's first order may be in another
        # channel's); else the first order's. Orders in other currencies are skipped.
        currency = draft_program.currency
        draft_usage = UsageTally(limits=draft_program.limits, budgets=draft_program.budgets)
        compared_usage = (UsageTally(limits=compared_program.limits,
                                     budgets=compared_program.budgets)
                          if compared_program is not None else None)
        processed, skipped, total, next_write = 0, 0, 0, 1
        saleor_errors: list[dict] = []
        for total, facts in orders(installation=job.installation, count=job.requested,
                                   assume_referred=job.assume_referred):
            processed += 1
            if isinstance(facts, UnreadableOrder):
                saleor_errors.append(facts.as_json())  # skipped; the other orders still count
                facts = None
            currency = currency or (facts.currency if facts else None)
            if facts is None or facts.currency != currency:
                skipped += 1  # one currency per summary: amounts are never added across them
            else:
                try:  # both programs on the same orders, in one pass; limits and budgets
                    # count what each program's replay gave so far
                    draft_facts = draft_usage.with_usage(facts)
                    draft_decision = draft_program.evaluate(draft_facts)
                    draft_usage.add(draft_facts, draft_decision)
                    other_decision = None
                    if compared_program is not None and compared_usage is not None:
                        other_facts = compared_usage.with_usage(facts)
                        other_decision = compared_program.evaluate(other_facts)
                        compared_usage.add(other_facts, other_decision)
                except EvaluationError:
                    skipped += 1  # e.g. a channel in another currency than the program's
                else:
                    draft.add(draft_decision, currency, facts)
                    if compared is not None:
                        compared.add(other_decision, currency, facts)
            if processed >= next_write:  # the first order shows the total at once
                _update(job.pk, processed=processed, total=total)
                next_write = processed + max(PROGRESS_EVERY, total // PROGRESS_STEPS)
        result = summarise(draft=draft, compared=compared, compared_label=job.compare_label,
                           compared_number=job.published_number,
                           currency=currency or "USD", orders=processed - skipped,
                           skipped=skipped)
        result["saleor_errors"] = saleor_errors[:MAX_ERRORS_SHOWN]
        result["saleor_error_count"] = len(saleor_errors)
        _update(job.pk, status=BacktestJob.Status.DONE, processed=processed,
                total=max(total, processed), result=result, finished_at=timezone.now())
    except Exception as exc:  # a failed run is shown to the merchant, not lost in a log
        logger.exception("backtest %s failed", job.pk)
        _update(job.pk, status=BacktestJob.Status.FAILED, error=str(exc)[:2000],
                finished_at=timezone.now())

