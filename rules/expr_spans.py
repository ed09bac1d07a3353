"""Whole-expression spans for the editor: the parser's spans leave out parentheses (a call ends at
its last argument, `(a + b) * 2` starts at `a`); widen them to what a merchant sees as one piece."""

from __future__ import annotations

import bisect
import re

from rules.source import Span

_PAREN_STRING_COMMENT = re.compile(r'[()"#]')


class SourceText:
    """A program's text, addressed by the 1-based line and column of `Span`s."""

    def __init__(self, source: str) -> None:
        self.text = source
        self.line_starts = [0, *(found.end() for found in re.finditer("\n", source))]

    def offset(self, line: int, column: int) -> int:
        starts = self.line_starts
        line_start = starts[min(max(line, 1), len(starts)) - 1]
        return min(line_start + max(column - 1, 0), len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def with_parentheses(self, span: Span) -> Span:
        """`span` grown to take in the parentheses it opens or closes but does not contain."""
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column)
        closes, opens = unbalanced(self.text, start, end)
        if not closes and not opens:
            return span
        new_start = self._back_over_opens(start, closes)
        new_end = self._past_closes(end, opens)
        if new_start is None or new_end is None:
            return span
        return Span(*self.position(new_start), *self.position(new_end))

    def _back_over_opens(self, start: int, count: int) -> int | None:
        """The offset of the `count`-th `(` just before `start` (only blanks between)."""
        text, at = self.text, start
        while count:
            at -= 1
            while at >= 0 and text[at] in " \t\r\n":
                at -= 1
            if at < 0 or text[at] != "(":
                return None
            count -= 1
        return at

    def _past_closes(self, end: int, depth: int) -> int | None:
        """The offset just after the `)` closing the `depth` parentheses still open at `end`."""
        text, at = self.text, end
        while depth and at < len(text):
            ch = text[at]
            if ch == '"':
                at = _string_end(text, at)
                continue
            if ch == "#":
                newline = text.find("\n", at)
                at = len(text) if newline < 0 else newline
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            at += 1
        return at if depth == 0 else None


def unbalanced(text: str, start: int, end: int) -> tuple[int, int]:
    """(`)` without their `(`, `(` without their `)`) in text[start:end], strings and comments
    aside."""
    if text.find("(", start, end) < 0 and text.find(")", start, end) < 0:
        return 0, 0  # most expressions: nothing to scan
    closes = opens = 0
    found = _PAREN_STRING_COMMENT.search(text, start, end)
    while found is not None:
        at, ch = found.start(), found.group()
        if ch == '"':
            at = _string_end(text, at)
        elif ch == "#":
            newline = text.find("\n", at)
            at = end if newline < 0 else newline
        else:
            at += 1
            if ch == "(":
                opens += 1
            elif opens:
                opens -= 1
            else:
                closes += 1
        found = _PAREN_STRING_COMMENT.search(text, at, end) if at < end else None
    return closes, opens


def _string_end(text: str, at: int) -> int:
    """The offset after the string literal opening at `at` (backslash escapes; unclosed: the
    line's end)."""
    at += 1
    while at < len(text):
        ch = text[at]
        if ch == "\\":
            at += 2
            continue
        if ch in '"\n':
            return at + (ch == '"')
        at += 1
    return at
