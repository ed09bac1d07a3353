"""Backtests: run the draft (and the live version) over recent orders, as a background job that
records its progress on its row, and sum up projected reward cost and counts per rule."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from plugin.dashboard import backtest_sources
from plugin.dashboard.decisions import reward_lines
from plugin.dashboard.language import compiled_or_diagnostics
from plugin.dashboard.models import BacktestJob
from plugin.dashboard.recent_orders import UnreadableOrder
from plugin.programs.reports import to_jsonable
from plugin.programs.selectors import program_published
from plugin.programs.services import source_hash
from rules.evaluate.limits import UsageTally
from rules.facts.money import Money
from rules.source import EvaluationError

logger = logging.getLogger(__name__)

MAX_ORDERS = 5000
PROGRESS_EVERY = 25  # orders at least between two progress writes
PROGRESS_STEPS = 200  # at most this many progress writes a job: a write costs more than an order
STALLED_AFTER = timedelta(minutes=10)
MAX_ERRORS_SHOWN = 20  # orders Saleor failed, named in the result; the count covers them all


class BacktestRefused(ValueError):
    """The backtest cannot start as asked (draft does not check, bad count)."""


@dataclass
class Tally:
    """What one program would have given over the orders."""

    cost: Decimal = Decimal(0)
    points: int = 0
    rewarded_orders: int = 0
    per_rule_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_rule_cost: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, decision: Any, currency: str) -> None:
        lines = reward_lines(decision)
        if lines:
            self.rewarded_orders += 1
        for line in lines:
            self.per_rule_count[line.rule] += 1
            if line.money is not None and line.money.currency == currency:
                self.cost += line.money.amount
                self.per_rule_cost[line.rule] += line.money.amount
            self.points += line.points or 0


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return to_jsonable(Money(amount, currency))


def summarise(*, draft: Tally, live: Tally | None, live_number: int | None, currency: str,
              orders: int, skipped: int) -> dict[str, Any]:
    rules = sorted(set(draft.per_rule_count) | set(live.per_rule_count if live else ()))
    result: dict[str, Any] = {
        "orders": orders,
        "skipped": skipped,
        "currency": currency,
        "draft": {"cost": _money(draft.cost, currency), "points": draft.points,
                  "rewarded_orders": draft.rewarded_orders},
        "published": None,
        "difference": None,
        "rules": [
            {"rule": rule,
             "draft_count": draft.per_rule_count.get(rule, 0),
             "draft_cost": _money(draft.per_rule_cost.get(rule, Decimal(0)), currency),
             "published_count": live.per_rule_count.get(rule, 0) if live else 0,
             "published_cost": _money(live.per_rule_cost.get(rule, Decimal(0)) if live
                                      else Decimal(0), currency)}
            for rule in rules
        ],
    }
    if live is not None:
        result["published"] = {"number": live_number, "cost": _money(live.cost, currency),
                               "points": live.points, "rewarded_orders": live.rewarded_orders}
        result["difference"] = {"cost": _money(draft.cost - live.cost, currency),
                                "points": draft.points - live.points}
    return result


def backtest_job_create(*, installation, user, draft_source: str, count: int, source: str,
                        assume_referred: bool) -> BacktestJob:
    """Checks the draft and stores a queued job; `backtest_job_start` then runs it."""

    if not 1 <= count <= MAX_ORDERS:
        raise BacktestRefused(f"count must be between 1 and {MAX_ORDERS}")
    if source not in BacktestJob.Source.values:
        raise BacktestRefused(f"source must be one of {', '.join(BacktestJob.Source.values)}")
    program, _diagnostics = compiled_or_diagnostics(draft_source)
    if program is None:
        raise BacktestRefused("the draft has errors; fix them to backtest it")
    live = program_published(installation=installation)
    return BacktestJob.objects.create(
        installation=installation, source=source, draft_source=draft_source,
        draft_hash=source_hash(draft_source), published_number=live[0].number if live else None,
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
        live = program_published(installation=job.installation)
        live_program = live[1] if live else None
        orders = (backtest_sources.saleor_orders if job.source == BacktestJob.Source.SALEOR
                  else backtest_sources.stored_orders)
        draft, published = Tally(), (Tally() if live_program is not None else None)
        # The program's currency when it names one (a shop's first order may be in another
        # channel's); else the first order's. Orders in other currencies are skipped.
        currency = draft_program.currency
        draft_usage = UsageTally(limits=draft_program.limits, budgets=draft_program.budgets)
        live_usage = (UsageTally(limits=live_program.limits, budgets=live_program.budgets)
                      if live_program is not None else None)
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
                try:  # limits and budgets count what the replay gave so far
                    draft_facts = draft_usage.with_usage(facts)
                    draft_decision = draft_program.evaluate(draft_facts)
                    draft_usage.add(draft_facts, draft_decision)
                    live_decision = None
                    if published is not None and live_usage is not None:
                        live_facts = live_usage.with_usage(facts)
                        live_decision = live_program.evaluate(live_facts)
                        live_usage.add(live_facts, live_decision)
                except EvaluationError:
                    skipped += 1  # e.g. a channel in another currency than the program's
                else:
                    draft.add(draft_decision, currency)
                    if published is not None:
                        published.add(live_decision, currency)
            if processed >= next_write:  # the first order shows the total at once
                _update(job.pk, processed=processed, total=total)
                next_write = processed + max(PROGRESS_EVERY, total // PROGRESS_STEPS)
        result = summarise(draft=draft, live=published,
                           live_number=live[0].number if live else None,
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
