"""`format_source` on every golden case: idempotent, and the formatted program means the same."""

from __future__ import annotations

from pathlib import Path

import pytest

import rules

CASES = sorted((Path(__file__).parent / "cases").glob("*.rules"))
PARSEABLE = [c for c in CASES if not c.stem.startswith("err_syntax")
             and c.stem not in ("err_single_quotes",)]


@pytest.mark.parametrize("path", PARSEABLE, ids=[c.stem for c in PARSEABLE])
def test_format_is_idempotent_and_keeps_meaning(path: Path):
    source = path.read_text()
    formatted = rules.format_source(source)
    assert rules.format_source(formatted) == formatted
    assert formatted.count("#") == source.count("#")  # every comment kept
    before, after = rules.check(source), rules.check(formatted)
    assert before.ok == after.ok
    assert [d.message for d in before.diagnostics] == [d.message for d in after.diagnostics]
    if before.program is not None:
        assert [(r.trigger, r.label.split(" rule at line")[0]) for r in before.program.rules] == [
            (r.trigger, r.label.split(" rule at line")[0]) for r in after.program.rules]
        assert [(r.name, r.passed) for r in before.program.run_examples()] == [
            (r.name, r.passed) for r in after.program.run_examples()]
        assert (before.program.static_report()["worst_case_text"]
                == after.program.static_report()["worst_case_text"])
