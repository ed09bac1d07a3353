"""The stack tests start real processes, which live on the machine's clock: a run of the suite
with a shifted clock (`TEST_CLOCK_SHIFT_DAYS`) hands these tests the machine's time back, and
their stories are timed from it."""

from __future__ import annotations

from datetime import UTC

import pytest
from time_machine import escape_hatch


@pytest.fixture(autouse=True)
def _the_processes_clock(time_machine) -> None:
    if escape_hatch.is_travelling():
        time_machine.move_to(escape_hatch.datetime.datetime.now(UTC), tick=True)
