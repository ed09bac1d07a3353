"""Every example program checks without errors or warnings, explains its practice in a comment
header, and every `example` block in it passes (evaluated the way the app evaluates).

The programs are read as the app reads them: package data of `examples`."""

from __future__ import annotations

from importlib.resources.abc import Traversable

import pytest

import rules
from examples import example_programs
from rules.evaluate.examples import check_expectations, decision_currency, example_facts
from rules.syntax import ast, parse

PROGRAMS = example_programs()
NAMES = [p.name.removesuffix(".rules") for p in PROGRAMS]


def test_there_are_enough_examples() -> None:
    assert len(PROGRAMS) >= 8


@pytest.mark.parametrize("path", PROGRAMS, ids=NAMES)
def test_program_checks_cleanly(path: Traversable) -> None:
    source = path.read_text()
    result = rules.check(source, path.name)
    assert result.ok, result.render(source)
    # A program that teaches a practice should not teach ignoring the checker's warnings.
    assert not result.program.warnings, result.render(source)


@pytest.mark.parametrize("path", PROGRAMS, ids=NAMES)
def test_program_explains_its_practice(path: Traversable) -> None:
    header = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("# ").strip())
    assert len(header) >= 2 and all(header), "start with a comment on the practice it teaches"


@pytest.mark.parametrize("path", PROGRAMS, ids=NAMES)
def test_every_example_block_passes(path: Traversable) -> None:
    program = rules.compile_program(path.read_text(), path.name)
    results = program.run_examples()
    assert len(results) >= 2, "each practice needs examples for and against"
    failed = [f"{path.name}:{r.line} {r.name}: {r.message}" for r in results if not r.passed]
    assert not failed, "\n".join(failed)


def _examples(program):
    """(the program an example runs on, the example): an A/B test variant's own examples run on
    that variant's program, the others on the program."""
    node, _ = parse(program.source)
    found = [(program, item) for item in node.items if isinstance(item, ast.Example)]
    for test in (item for item in node.items if isinstance(item, ast.ABTest)):
        found += [(program.variant_program(variant.name), example)
                  for variant in test.variants for example in variant.examples]
    return found


@pytest.mark.parametrize("path", PROGRAMS, ids=NAMES)
def test_examples_hold_on_the_fast_path_too(path: Traversable) -> None:
    # `run_examples` explains (the interpreter); the app calls `evaluate` (the compiler).
    program = rules.compile_program(path.read_text(), path.name)
    for runs_on, item in _examples(program):
        if isinstance(item, ast.Example):
            decision = runs_on.evaluate(example_facts(runs_on, item))
            expectations = [x for entry in item.entries if isinstance(entry, ast.ExampleExpect)
                            for x in entry.expectations if x.hint is None]
            problems = check_expectations(decision, expectations,
                                          decision_currency(program, item))
            assert not problems, f"{path.name}:{item.span.line} {item.name}: {problems}"
