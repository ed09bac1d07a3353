"""The program generator behind the compiler's property tests writes programs that check."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_strategies import programs

import rules


@settings(max_examples=10, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.lists(programs(), min_size=20, max_size=20))
def test_generated_programs_almost_always_check(sources: list[str]) -> None:
    # The agreement tests skip invalid programs; this keeps them from skipping most of them.
    valid = [source for source in sources if rules.check(source).ok]
    assert len(valid) >= 15, next(
        rules.check(s).render(s) for s in sources if not rules.check(s).ok)
