"""The parser's LALR tables ship prebuilt beside the grammar: they must be the tables of the
grammar and Lark version in use (this fails after any change to either until
`scripts/build-parser-tables` writes them again), a fresh process loads them instead of
analysing the grammar, and tables built for anything else are never used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.parse_check import generated_program
from rules.syntax.lark_parser import (
    GRAMMAR,
    _runtime,
    parser_build,
    parser_tables_key,
)
from rules.syntax.tables import tables_load, tables_path, tables_write

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = sorted([*REPO.glob("examples/*.rules"), *REPO.glob("tests/rules/cases/*.rules")])
BROKEN = ["give referrer 5 USD USD\n", "if order_total > :\n    give referrer 1 USD\n",
          'program "x" currency USD\nrule "r" on order paid when referred\n'
          "    give referrer 1 USD\n",
          "on checkout when (order_total > 10 USD:\n    give referee 5% off order\n"]
STALE = "run scripts/build-parser-tables after changing the grammar or Lark"


@pytest.fixture(scope="module")
def shipped():
    loaded = tables_load(tables_path(GRAMMAR), parser_tables_key(), **_runtime())
    assert loaded is not None, f"the shipped tables are not those of this grammar: {STALE}"
    return loaded


@pytest.fixture(scope="module")
def built():
    return parser_build()


def _outcome(parser, text: str) -> object:
    try:
        return parser.parse(text)
    except Exception as exc:  # the same error, at the same place, from both
        return type(exc).__name__, getattr(exc, "line", None), getattr(exc, "column", None)


def test_the_shipped_tables_are_keyed_on_this_grammar_and_lark(shipped):
    key = tables_path(GRAMMAR).read_bytes().split(b"\n", 1)[0].decode()
    assert key == parser_tables_key(), STALE


def test_the_shipped_tables_are_the_tables_built_from_the_grammar(shipped, built):
    assert sorted(map(str, shipped.rules)) == sorted(map(str, built.rules)), STALE
    assert ({(t.name, t.pattern.to_regexp()) for t in shipped.terminals}
            == {(t.name, t.pattern.to_regexp()) for t in built.terminals}), STALE
    shipped_table = shipped.parser.parser.parser.parse_table
    built_table = built.parser.parser.parser.parse_table
    assert len(shipped_table.states) == len(built_table.states), STALE
    # state numbers may differ between builds: compare every state's actions by its symbols
    assert (sorted(sorted(map(str, row)) for row in shipped_table.states.values())
            == sorted(sorted(map(str, row)) for row in built_table.states.values())), STALE


@pytest.mark.parametrize("text", [*(p.read_text(encoding="utf-8") for p in PROGRAMS),
                                  generated_program(), *BROKEN])
def test_the_shipped_tables_parse_as_the_built_ones(shipped, built, text):
    assert _outcome(shipped, text) == _outcome(built, text)


def test_tables_built_for_another_grammar_or_lark_are_not_used(tmp_path, built):
    path = tmp_path / "rules.tables"
    tables_write(path, "another grammar or Lark version", built)
    assert tables_load(path, parser_tables_key(), **_runtime()) is None
    assert tables_load(tmp_path / "missing.tables", parser_tables_key(), **_runtime()) is None
    tables_write(path, parser_tables_key(), built)
    loaded = tables_load(path, parser_tables_key(), **_runtime())
    text = PROGRAMS[0].read_text(encoding="utf-8")
    assert loaded is not None and loaded.parse(text) == built.parse(text)


FRESH_PROCESS = """
import sys
import rules
assert "lark" not in sys.modules, "import rules loads Lark"
import lark.parsers.lalr_analysis as analysis

def refuse(*args, **kwargs):
    raise AssertionError("the LALR tables were built at start")

analysis.LALR_Analyzer.compute_lalr = refuse
result = rules.check(sys.stdin.read(), "generated.rules")
assert result.ok, result.render("")
print(len(result.program.rules))
"""


def test_a_fresh_process_loads_the_tables_and_imports_lark_only_to_parse():
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS], input=generated_program(),
                          cwd=REPO, capture_output=True, text=True, env={"PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50


LIGHT_IMPORT = """
import sys
import rules
assert [m for m in sys.modules if m.startswith("rules.")] == [], "import rules loads its parts"
assert rules.tools.expr_types.MAX_TYPES > 0  # a submodule, as an eager `import rules` gave it
from rules import Money, check
assert check("give referrer 5 USD").ok and Money.of(5, "USD").amount == 5
try:
    rules.no_such_name
except AttributeError:
    pass
else:
    raise AssertionError("rules has every name")
"""


def test_import_rules_loads_each_part_on_first_use():
    done = subprocess.run([sys.executable, "-c", LIGHT_IMPORT], cwd=REPO, capture_output=True,
                          text=True, env={"PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
