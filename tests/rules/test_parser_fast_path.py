"""The fused parse loop gives exactly Lark's AST, errors stay Lark's, and the overlap pruning
finds exactly the overlaps of the plain pairwise scan."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lark.exceptions import UnexpectedInput

from rules.checker.overlap import (
    MAX_COMPARED,
    Overlap,
    _both_can_hold,
    _recipients,
    overlapping_rules,
)
from rules.syntax import ast
from rules.syntax.fast_lalr import FastPathFailed
from rules.syntax.lark_parser import _fast_parser
from rules.syntax.lark_parser import parser_shared as _parser
from rules.syntax.lark_parser import raw_parse as _raw_parse
from rules.syntax.parser import parse

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = sorted([*REPO.glob("examples/*.rules"), *REPO.glob("tests/rules/cases/*.rules")])
# The corners of the post-lexer: continuations, newlines inside brackets, comments, tabs, blanks.
CORNERS = [
    'program "c" currency USD\non order paid when channel in [\n  "web",\n    "app"]:\n'
    "\tgive referrer 5 USD\n",
    "give referrer 5 \\\n    USD   # trailing comment\n\n\n# last\n",
    'on checkout when (order_total >\n 10 USD):\n    give referee 5% off order\n    \n',
    "if order_total > 5 USD:\n    give referrer 1 USD\nelse:\n    give referrer 2 USD",
]


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text if text.endswith("\n") else text + "\n"


def _lark_or_error(text: str) -> object:
    try:
        return _parser().parse(text)
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize("text", [*(_text(p) for p in PROGRAMS), *CORNERS])
def test_the_fast_loop_builds_the_ast_lark_builds(text):
    expected = _lark_or_error(text)
    if isinstance(expected, type):
        with pytest.raises(FastPathFailed):
            _fast_parser().parse(text)
    else:
        assert _fast_parser().parse(text) == expected


def test_mutated_programs_parse_the_same_or_fail_in_both():
    rng = random.Random(7)
    sources = [_text(p) for p in PROGRAMS]
    pieces = [" ", "\n", "\n    ", "(", ")", "[", "]", "\\\n", "\t", "# c\n", ":", "give", "1"]
    valid = 0
    for _ in range(600):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:at] + rng.choice(pieces) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 5):]
        expected = _lark_or_error(text)
        try:
            got: object = _fast_parser().parse(text)
        except Exception:
            got = None
        if isinstance(expected, type):
            assert got is None, text
        else:
            valid += 1
            assert got == expected, text
    assert valid > 50  # the mutations must also exercise the success path


def test_invalid_text_raises_lark_own_error_with_its_position():
    text = "on order paid:\n    give friend 5 USD\n"
    with pytest.raises(UnexpectedInput) as raised:
        _raw_parse(text)
    assert (raised.value.line, raised.value.column) == (2, 10)
    _node, errors = parse(text)
    assert [(e.line, e.column, e.message) for e in errors] == [
        (2, 10, "expected who gets the reward: referrer, referee, customer or affiliate")]


def _pairwise(rules: list[ast.Rule]) -> list[Overlap]:
    """The plain scan the band index prunes: every earlier rule, nearest first."""
    by_trigger: dict = {}
    for rule in rules:
        by_trigger.setdefault(rule.trigger.trigger, []).append(rule)
    found = []
    for group in by_trigger.values():
        if len(group) < 2 or len(group) > MAX_COMPARED:
            continue
        recipients = [_recipients(rule) for rule in group]
        for later in range(1, len(group)):
            for earlier in range(later - 1, -1, -1):
                shared = recipients[later] & recipients[earlier]
                if shared and _both_can_hold(group[earlier], group[later]):
                    found.append(Overlap(group[later], group[earlier], sorted(shared)[0]))
                    break
    return found


def _condition(rng: random.Random) -> str:
    op = lambda: rng.choice([">", ">=", "<", "<=", "==", "!="])  # noqa: E731
    atoms = [lambda: f"order_total {op()} {rng.randint(0, 10) * 10} USD",
             lambda: f"customer.orders {op()} {rng.randint(0, 5)}",
             lambda: f'channel == "{rng.choice(["a", "b"])}"', lambda: "referred",
             lambda: "not referred", lambda: f"{rng.randint(0, 10) * 10} USD < order_total"]
    text = rng.choice(atoms)()
    for _ in range(rng.randint(0, 3)):
        text += rng.choice([" and ", " and ", " or "]) + rng.choice(atoms)()
    return f"not ({text})" if rng.random() < 0.1 else text


def test_band_index_finds_exactly_the_pairwise_overlaps():
    rng = random.Random(3)
    total = 0
    for _ in range(150):
        lines = ['program "x" currency USD']
        for _ in range(rng.randint(2, 30)):
            when = f" when {_condition(rng)}" if rng.random() < 0.9 else ""
            lines += [f"on {rng.choice(['order paid', 'order paid', 'order created'])}{when}:",
                      f"    give {rng.choice(['referrer', 'referee'])} 5 USD"]
        node, errors = parse("\n".join(lines) + "\n")
        assert node is not None, errors
        rules = [item for item in node.items if isinstance(item, ast.Rule)]
        found = overlapping_rules(rules)
        assert found == _pairwise(rules)
        total += len(found)
    assert total > 100


def test_disjoint_bands_on_one_trigger_are_compared_without_trying_every_pair(monkeypatch):
    lines = ['program "x" currency USD']
    for band in range(150):
        lines += [f"on order paid when order_total >= {band * 10} USD and order_total < "
                  f"{band * 10 + 10} USD:", "    give referrer 5 USD"]
    node, _errors = parse("\n".join(lines) + "\n")
    rules = [item for item in node.items if isinstance(item, ast.Rule)]
    calls = []
    import rules.checker.overlap as overlap

    def counted(first, second):
        calls.append(1)
        return _both_can_hold(first, second)

    monkeypatch.setattr(overlap, "_both_can_hold", counted)
    assert overlapping_rules(rules) == []
    assert len(calls) < 2 * len(rules)  # the pairwise scan makes 11,175 calls here


OTHER_DIGITS = ["give referrer \uff11\uff10 USD\n", "give referrer \u0661\u0660 USD\n",
                "give referrer \u09ea0 USD\n",
                'program "d" currency USD\ncontest "c" from 2026-03-0\u0661 to 2026-03-31:\n'
                "    score referrals.count\n    prize 1: 5 USD\n"]


@pytest.mark.parametrize("text", OTHER_DIGITS)
def test_only_ascii_digits_are_numbers_on_both_paths(text):
    # The grammar's NUMBER and DATE are ASCII: neither the fused loop nor Lark reads a
    # fullwidth ten as 10.
    with pytest.raises(FastPathFailed):
        _fast_parser().parse(text)
    with pytest.raises(UnexpectedInput):
        _parser().parse(text)


@pytest.mark.parametrize("text", [
    *OTHER_DIGITS, "on order paid:\n\tgive referrer 5 USD\n", "g\u0456ve referrer 5 USD\n",
    "give referrer " + "(" * 60 + "5 USD" + ")" * 60 + "\n",
])
def test_the_screen_decides_before_either_parser_runs(text, monkeypatch):
    import rules.syntax.parser as parser_package

    expected = parse(text)
    assert expected[0] is None and expected[1]

    def no_parser(_text):
        raise AssertionError("the screen lets nothing it refuses reach a parser")

    monkeypatch.setattr(parser_package, "raw_parse", no_parser)
    parser_package.clear_cache()
    assert parse(text) == expected
