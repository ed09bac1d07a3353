"""The shared `--now` / `--installation` options refuse what they cannot use, in every command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("command", ["rewards_release", "contests_finalize", "customers_asleep",
                                     "segments_recompute"])
@pytest.mark.parametrize("now", ["2026-12-31T00:00:00", "next tuesday"])
def test_now_without_a_utc_offset_is_refused(db, command, now):
    with pytest.raises(CommandError, match="UTC offset"):
        call_command(command, now=now, stdout=StringIO())


@pytest.mark.parametrize("command", ["rewards_release", "contests_finalize", "segments_recompute"])
def test_an_unknown_installation_is_refused(db, command):
    with pytest.raises(CommandError, match="no installation 999"):
        call_command(command, installation=999, stdout=StringIO())


def test_now_with_an_offset_runs_for_the_named_installation(captured_installation):
    out = StringIO()
    call_command(
        "rewards_release",
        now="2026-12-31T00:00:00+00:00",
        installation=captured_installation.pk,
        stdout=out,
    )
    assert out.getvalue().startswith("released 0, issued 0, failed 0")
