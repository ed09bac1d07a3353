"""The periodic work: every entry names a real task, the scale shortens them all, and the README's
table says what runs and how often."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin.celery import app
from plugin.periodic import PERIODIC, beat_schedule

README = Path(__file__).resolve().parents[2] / "README.md"


def _every(seconds: float) -> str:
    minutes = seconds / 60
    if minutes < 60:
        return "every minute" if minutes == 1 else f"every {minutes:g} minutes"
    hours = minutes / 60
    return "every hour" if hours == 1 else f"every {hours:g} hours"


def test_every_periodic_entry_runs_a_task_the_worker_knows():
    app.loader.import_default_modules()
    unknown = [p.task for p in PERIODIC if p.task not in app.tasks]
    assert unknown == []
    assert app.conf.beat_schedule == beat_schedule(scale=1.0)  # settings' scale in the suite


def test_the_scale_shortens_every_interval_alike():
    fast = beat_schedule(scale=0.01)
    assert fast["rewards-tick"] == {"task": "rewards.tick", "schedule": 3.0}
    assert fast["webhooks-sweep"]["schedule"] == pytest.approx(0.6)
    assert {key: entry["task"] for key, entry in fast.items()} == {p.key: p.task for p in PERIODIC}
    with pytest.raises(ValueError, match="positive"):
        beat_schedule(scale=0)


def test_the_readme_says_what_runs_and_how_often():
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `")]
    missing = [
        f"{p.task} ({_every(p.seconds)})"
        for p in PERIODIC
        if not any(f"`{p.task}`" in row and _every(p.seconds) in row for row in rows)
    ]
    assert missing == []
