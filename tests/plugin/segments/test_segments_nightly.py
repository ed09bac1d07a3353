"""The nightly run: Celery beat names the task once a night, the task and the command recompute
every active shop (the cut points move with the history), and an inactive shop is left alone."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from plugin.install.models import Installation
from plugin.segments.cuts import cuts_get
from plugin.segments.models import CustomerSegment
from plugin.segments.selectors import customer_segment_get, customer_segments_many
from plugin.segments.tasks import segments_recompute_all, segments_recompute_task
from tests.plugin.segments.history import START, order

pytestmark = pytest.mark.django_db


def test_beat_runs_the_task_at_least_once_a_day():
    from celery.schedules import crontab, maybe_schedule

    from plugin.celery import app

    entry = app.conf.beat_schedule["segments-recompute"]
    assert entry["task"] == segments_recompute_task.name == "segments.recompute"
    schedule = maybe_schedule(entry["schedule"])
    if isinstance(schedule, crontab):  # a fixed time of day, every day
        assert len(schedule.hour) == len(schedule.minute) == 1
        assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31
    else:  # an interval (the periodic table scales intervals for tests)
        assert timedelta(0) < schedule.run_every <= timedelta(days=1)


def test_the_nightly_run_remeasures_every_active_shop(captured_installation):
    shop = captured_installation
    asleep_shop = Installation.objects.create(saleor_api_url="https://gone.example.com/graphql/",
                                              domain="gone.example.com", is_active=False)
    order(asleep_shop, "x@x.com", day=1)
    for n in range(5):
        order(shop, f"c{n}@x.com", day=10 * n, total="20")
    segments_recompute_all(now=START + timedelta(days=50))
    assert customer_segment_get(installation=shop, email="c4@x.com") in {"new", "promising"}
    for n in range(5, 10):  # five newer customers push the first ones down the recency scale
        order(shop, f"c{n}@x.com", day=10 * n, total="20")

    totals = segments_recompute_all(now=START + timedelta(days=100))

    assert totals == {"installations": 1, "customers": 10}
    assert cuts_get(installation=shop).recency[0] == START + timedelta(days=10)
    assert customer_segment_get(installation=shop, email="c0@x.com") == "asleep"
    assert not CustomerSegment.objects.filter(installation=asleep_shop).exists()


def test_the_command_prints_the_counts_of_one_shop(captured_installation):
    # a lone customer ties with every cut point, so every score is 1: asleep (see the README)
    order(captured_installation, "ann@x.com", day=1, total="20")
    out = StringIO()

    call_command("segments_recompute", installation=captured_installation.pk,
                 now="2026-02-01T00:00:00+00:00", stdout=out)

    assert out.getvalue().splitlines() == [
        "1 customers in 1 installation(s)",
        "champions 0, loyal 0, new 0, promising 0, at_risk 0, asleep 1"]


def test_segments_for_rule_facts_one_or_many_scoped_to_the_shop(captured_installation):
    shop = captured_installation
    other = Installation.objects.create(saleor_api_url="https://b.example.com/graphql/",
                                        domain="b.example.com")
    for n in range(5):
        order(shop, f"c{n}@x.com", day=10 * n, total=str(10 + n))
    order(other, "c4@x.com", day=1)
    segments_recompute_all(now=START + timedelta(days=60))

    assert customer_segment_get(installation=shop, email="C4@X.com") == "new"
    assert customer_segment_get(installation=shop, email="nobody@x.com") == ""
    assert customer_segment_get(installation=shop, email="") == ""
    assert customer_segments_many(installation=shop, emails=["c0@x.com", "C4@x.com", "z@x.com"]
                                  ) == {"c0@x.com": "asleep", "c4@x.com": "new"}
    assert customer_segment_get(installation=other, email="c4@x.com") == "asleep"
