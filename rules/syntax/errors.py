"""Lark's failures as Diagnostics: the position, a message named by example, what was expected."""

from __future__ import annotations

import functools

from lark import Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from rules.source import Diagnostic, Span
from rules.syntax.expected import SYNTAX_EXAMPLES, describe_expected
from rules.syntax.lark_parser import parser_shared, raw_parse


def syntax_diagnostic(exc: UnexpectedInput, text: str, filename: str) -> Diagnostic:
    line, column = max(exc.line, 1), max(exc.column, 1)
    width = 1
    token = getattr(exc, "token", None)
    if isinstance(exc, UnexpectedToken) and token is not None and token.type == "$END":
        line, column = _end_position(text)
    elif token is not None and getattr(token, "line", None):
        line, column = token.line, token.column
        if token.type in ("_NL", "_DEDENT", "_INDENT"):
            line, column = _end_of_line(text, line)
        else:
            width = max(1, len(str(token).splitlines()[0]) if str(token) else 1)
    label = _label_for(exc)
    if isinstance(exc, UnexpectedCharacters):
        char = text.splitlines()[line - 1][column - 1 : column] if line <= len(
            text.splitlines()) else ""
        message = label or f"unexpected character {char!r}"
        hint = None
        if char == "'":
            message, hint = "strings are written in double quotes", f"then: {message}"
    else:
        found = _found(token)
        message = label or f"unexpected {found}"
        expected = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or set()
        hint = describe_expected(expected, parser_shared())
    span = Span(line, column, line, column + width)
    return Diagnostic.at(span, message, hint=hint, filename=filename)


_EXAMPLE_PREFIXES = ("", "# note\n", 'program "p"\n', "give referrer 1 USD\n",
                     'program "p"\non order paid:\n    give referrer 1 USD\n')


@functools.cache
def _example_table() -> tuple[tuple[object, frozenset, str, str, str], ...]:
    """Each syntax-error example parsed once: (state, accepts, token type, token text, label).
    Examples also run after a comment, a header and earlier items: their parser states differ."""
    table = []
    for label, examples in SYNTAX_EXAMPLES.items():
        for example in examples:
            for prefix in _EXAMPLE_PREFIXES:
                try:
                    raw_parse(prefix + example)
                except UnexpectedInput as ut:
                    token = getattr(ut, "token", None)
                    table.append((ut.state, frozenset(getattr(ut, "accepts", None) or ()),
                                  getattr(token, "type", ""), str(token or ""), label))
                except LarkError:
                    continue
    return tuple(table)


def _label_for(exc: UnexpectedInput) -> str | None:
    """The example label whose error happened in the same parser state, preferring the same
    token, then the same kind of token (Lark's match_examples, with the examples parsed once)."""
    token = getattr(exc, "token", None)
    accepts = frozenset(getattr(exc, "accepts", None) or ())
    best: tuple[int, str] | None = None
    for state, example_accepts, token_type, token_text, label in _example_table():
        if state != exc.state or (accepts and example_accepts and accepts != example_accepts):
            continue
        score = 0
        if token is not None and token_type == token.type:
            score = 2 if token_text == str(token) else 1
        if best is None or score > best[0]:
            best = (score, label)
    return best[1] if best else None


def _found(token: Token | None) -> str:
    if token is None or token.type == "$END":
        return "end of program"
    if token.type == "_NL":
        return "end of line"
    if token.type == "_INDENT":
        return "indentation"
    if token.type == "_DEDENT":
        return "end of block"
    return f"{str(token)!r}"


def _end_position(text: str) -> tuple[int, int]:
    lines = text.rstrip("\n").splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _end_of_line(text: str, line: int) -> tuple[int, int]:
    lines = text.splitlines()
    if 1 <= line <= len(lines):
        stripped = lines[line - 1].split("#", 1)[0].rstrip()
        return line, len(stripped) + 1
    return _end_position(text)


def dedent_diagnostic(text: str, filename: str) -> Diagnostic:
    """Find the first line whose indentation matches no enclosing block."""
    stack = [0]
    for number, raw in enumerate(text.splitlines(), start=1):
        body = raw.strip()
        if not body or body.startswith("#"):
            continue
        indent = len(raw.expandtabs(8)) - len(raw.expandtabs(8).lstrip())
        if indent > stack[-1]:
            stack.append(indent)
            continue
        while indent < stack[-1]:
            stack.pop()
        if indent != stack[-1]:
            span = Span(number, 1, number, indent + 1)
            return Diagnostic.at(
                span, "this line's indentation matches no enclosing block",
                hint="indent with the same spaces as the block it belongs to", filename=filename,
            )
    return Diagnostic.at(Span(1, 1, 1, 2), "inconsistent indentation", filename=filename)
