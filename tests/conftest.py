"""Suite-wide guards: the project reads nothing outside its own repository, and the suite passes on
any day (`TEST_CLOCK_SHIFT_DAYS=400` runs it with the clock that far ahead).

A user's clone has nothing beside it, so a file opened next to the repository (a sibling folder of
captures, say) works here and fails there. Every open and directory listing is audited; one that
lands beside the repository fails the test that made it (or the session, at collection).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine

REPO = Path(__file__).resolve().parents[1]
_NEIGHBOURHOOD = str(REPO.parent) + os.sep
_INSIDE = str(REPO) + os.sep
# Places beside the repository that are the machine's, not the project's (unless the repository
# itself sits in one, as a clone in a temporary folder does: then its neighbours are guarded).
_MACHINE = tuple(
    folder
    for folder in {
        str(Path(p).resolve()) + os.sep
        for p in (tempfile.gettempdir(), Path.home(), sys.prefix, sys.base_prefix)
    }
    if not _INSIDE.startswith(folder)
)
_AUDITED = {"open", "os.listdir", "os.scandir"}
escapes: list[str] = []


def _outside_repository(event: str, args: tuple) -> None:
    if event not in _AUDITED or not args:
        return
    target = args[0]
    if isinstance(target, int) or target is None:
        return  # a file descriptor or the current directory
    path = os.path.abspath(os.fsdecode(target))
    if (
        path.startswith(_NEIGHBOURHOOD)
        and not (path + os.sep).startswith(_INSIDE)
        and not (path + os.sep).startswith(_MACHINE)
    ):
        escapes.append(path)


if REPO.parent != Path(REPO.anchor):  # a repository at the root has no neighbours to guard
    sys.addaudithook(_outside_repository)


@pytest.fixture
def outside_reads() -> list[str]:
    """The paths beside the repository opened so far (the guard's own record)."""
    return escapes


@pytest.fixture(autouse=True)
def _reads_stay_in_the_repository():
    already = len(escapes)
    yield
    opened = escapes[already:]
    assert not opened, f"opened a path outside the repository: {sorted(set(opened))}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if escapes and exitstatus == 0:
        print(f"\npaths outside the repository were opened: {sorted(set(escapes))}")
        session.exitstatus = 1


@pytest.fixture
def at_capture_time(time_machine) -> datetime:
    """The clock an hour after the captured Saleor's last delivery, still running: its orders are
    then as recent as they were, whatever today's date (Saleor filters them by date)."""
    from plugin.saleor.captures import captured_deliveries

    last = max(delivery.received_at for delivery in captured_deliveries())
    moment = datetime.fromisoformat(last) + timedelta(hours=1)
    time_machine.move_to(moment, tick=True)
    return moment


def pytest_configure(config: pytest.Config) -> None:
    # The calendar moves on after a test is written: a run with the clock shifted ahead shows which
    # tests lean on today's date instead of fixing their clock (tests that fix it still can).
    shift = int(os.environ.get("TEST_CLOCK_SHIFT_DAYS") or 0)
    if shift:
        traveller = time_machine.travel(timedelta(days=shift), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    shift = os.environ.get("TEST_CLOCK_SHIFT_DAYS")
    return f"clock shifted {shift} days ahead" if shift else None
