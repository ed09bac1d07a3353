"""Golden cases: each `cases/*.rules` file carries its expectations in comments beside the code.

`# error: L:C text` / `# warning: L:C text` — exactly these diagnostics, the text part of the
message and its hint as `message; hint` (warnings are compared only when the file names any);
`# facts[ on <trigger>]: …` then `# expect: …` lines — a scenario written like an `example`
block; `# examples: pass` — the file's own examples all pass;
`# worst-case: <trigger> = <text>` — the static report's worst-case cost; `# no warnings`;
`# refused: <text>` after a `# facts:` line — a reward of that scenario refused (guard.py),
its description containing the text; `# cut: <text>` likewise, a reward cut by a per-person
limit or a budget (limits.py), as `referrer gets 50.00 USD as gift card: cut, limit …`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rules
from rules.evaluate.examples import run_scenario

CASES = sorted((Path(__file__).parent / "cases").glob("*.rules"))
_DIAG = re.compile(r"#\s*(error|warning):\s*(\d+):(\d+)\s+(.*)$")
_FACTS = re.compile(r"#\s*facts(?: on ([a-z ]+?))?:\s*(.*)$")
_EXPECT = re.compile(r"#\s*expect:\s*(.*)$")
_REFUSED = re.compile(r"#\s*refused:\s*(.*)$")
_CUT = re.compile(r"#\s*cut:\s*(.*)$")
_WORST = re.compile(r"#\s*worst-case:\s*([a-z ]+?)\s*=\s*(.*)$")


def _expectations(source: str):
    diagnostics, scenarios, worst = [], [], {}
    examples = quiet = False
    for line in source.splitlines():
        if m := _DIAG.search(line):
            diagnostics.append((m[1], int(m[2]), int(m[3]), m[4].strip()))
        elif m := _FACTS.search(line):
            scenarios.append((m[1], m[2].strip(), [], [], []))
        elif m := _EXPECT.search(line):
            assert scenarios, "`# expect:` needs a `# facts:` line before it"
            scenarios[-1][2].append(m[1].strip())
        elif m := _REFUSED.search(line):
            assert scenarios, "`# refused:` needs a `# facts:` line before it"
            scenarios[-1][3].append(m[1].strip())
        elif m := _CUT.search(line):
            assert scenarios, "`# cut:` needs a `# facts:` line before it"
            scenarios[-1][4].append(m[1].strip())
        elif m := _WORST.search(line):
            worst[m[1]] = m[2].strip()
        elif re.search(r"#\s*examples:\s*pass", line):
            examples = True
        elif re.search(r"#\s*no warnings", line):
            quiet = True
    return diagnostics, scenarios, worst, examples, quiet


def _said(diagnostic) -> str:
    """The message, then `; ` and the hint when there is one (`did you mean …`)."""
    hint = f"; {diagnostic.hint}" if diagnostic.hint else ""
    return diagnostic.message + hint


def _unmatched(expected, actual):
    remaining = list(actual)
    missing = []
    for severity, line, column, text in expected:
        found = next((d for d in remaining if d.severity == severity and d.line == line
                      and d.column == column and text in _said(d)), None)
        if found is None:
            missing.append(f"{severity} {line}:{column} {text}")
        else:
            remaining.remove(found)
    return missing, remaining


def test_there_are_enough_cases():
    errors = [c for c in CASES if "# error:" in c.read_text()]
    assert len(CASES) >= 60 and len(errors) >= 20


@pytest.mark.parametrize("path", CASES, ids=[c.stem for c in CASES])
def test_case(path: Path):
    source = path.read_text()
    expected, scenarios, worst, examples, quiet = _expectations(source)
    result = rules.check(source, path.name)
    wants_warnings = quiet or any(e[0] == "warning" for e in expected)
    actual = [d for d in result.diagnostics if d.is_error or wants_warnings]
    missing, unexpected = _unmatched(expected, actual)
    rendered = "\n".join(d.render(source) for d in unexpected)
    assert not missing, f"expected but not reported: {missing}\nreported:\n{result.render(source)}"
    assert not unexpected, f"reported but not expected:\n{rendered}"
    if any(e[0] == "error" for e in expected):
        assert result.program is None
        return
    assert result.program is not None
    for trigger, facts, expects, refused, cut in scenarios:
        problems = run_scenario(result.program, facts, expects, trigger, tuple(refused),
                                tuple(cut))
        assert not problems, f"facts: {facts}\n" + "\n".join(problems)
    if examples:
        failed = [r for r in result.program.run_examples() if not r.passed]
        assert not failed, failed
        assert result.program.run_examples(), "`# examples: pass` but the file has none"
    report = result.program.static_report()
    for trigger, text in worst.items():
        assert report["worst_case_text"].get(trigger) == text, report["worst_case_text"]
