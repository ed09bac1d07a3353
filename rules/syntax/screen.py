"""What you see is what it means: one pass over the text before it is parsed.

- A leading byte-order mark (files saved by Notepad) is dropped.
- A tab in indentation is an error at the tab: the parser counts it as 8 columns, an editor
  shows it as 2, 4 or 8, so a line could join another block than the one it shows.
- Digits are ASCII: fullwidth, Arabic-Indic or Bengali digits (Bengali four looks like 8) are
  errors naming the character and saying which ASCII digit to write.
- A word written with a look-alike letter (`give` with a Cyrillic i) is an error that names
  the letter and the word it looks like ("did you mean `give`?").
- Every kind of nesting (indented blocks, brackets of any kind: parentheses, calls, aggregates,
  lists, and `not`) counts toward one limit, `MAX_NESTING`; the error points where it is passed.

Strings and comments are text: anything goes there. The pass is linear in the text, so the
parser (fast path and Lark alike) only ever sees text these rules accept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import cache

from grammar import load_grammar
from rules.facts import ALIASES, FACTS
from rules.source import Diagnostic, Span

MAX_NESTING = 48
BOM = "\ufeff"

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|#.*|\w+|\S')
# Letters that look like ASCII ones (Cyrillic, Greek, Latin variants); NFKC handles the rest
# (fullwidth and mathematical letters).
_LOOK_ALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u04cf\u051b"
    "\u051d\u0261\u0131\u03bf\u03b1\u03b9\u03ba\u03bd\u03c1\u03c5\u03f2\u0475\u050d\u0410"
    "\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0405\u0406\u0408\u0391"
    "\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
    "aeopcyxijsdhlqwgioaikvpucvgABEKMHOPCTXSIJABEZHIKMNOPTYX",
)
_RESETS_NOT = frozenset({"and", "or", "give", "if", "elif", "else", "when", "where", "for",
                         "max", "min", "of", "in"})


@cache
def known_words() -> frozenset[str]:
    """Keywords of the grammar, fact names and their parts: what a look-alike may stand for."""
    words = set(re.findall(r'"([a-z_]+)"', load_grammar("rules")))
    words |= set(re.findall(r"[a-z_]{2,}", re.search(r"NAME: (.*)", load_grammar("rules"))[1]))
    for name in [*FACTS, *ALIASES]:
        words.add(name)
        words.update(name.split("."))
    return frozenset(words)


def character_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def screen(source: str, filename: str = "") -> tuple[str, list[Diagnostic]]:
    """(the text without a leading BOM, the diagnostics of this pass)."""
    text = source.removeprefix(BOM)
    found: list[Diagnostic] = []
    nesting = _Nesting()
    for number, line in enumerate(text.split("\n"), start=1):
        _indentation(number, line, nesting, found)
        for match in _TOKEN.finditer(line):
            token, column = match.group(), match.start() + 1
            if token[0] in "\"#":
                continue
            if not token.isascii() and (token[0].isalnum() or token[0] == "_"):
                _word(number, column, token, found)
            nesting.token(token, Span(number, column, number, column + len(token)), found)
        nesting.line_end(line)
    return text, [replace(d, filename=filename) for d in found] if filename else found


def _indentation(number: int, line: str, nesting: _Nesting, found: list[Diagnostic]) -> None:
    content = line.lstrip(" \t\f")
    if not content or content.startswith("#") or nesting.continued:
        return
    indent = line[: len(line) - len(content)]
    tab = indent.find("\t")
    if tab >= 0:
        found.append(Diagnostic.at(
            Span(number, tab + 1, number, tab + 2),
            "indent with spaces: a tab is 8 columns to the rules, whatever your editor shows, so "
            "this line may belong to another block than it seems",
            hint="replace the tab with spaces"))
    nesting.indent(number, len(indent.replace("\t", " " * 8)), found)


def _word(number: int, column: int, word: str, found: list[Diagnostic]) -> None:
    """A word with non-ASCII characters: other digits, or letters that look like ASCII ones."""
    for offset, char in enumerate(word):
        value = unicodedata.numeric(char, None) if not char.isascii() else None
        if value is not None:
            use = f"; use {int(value)}" if value == int(value) and 0 <= value <= 9 else ""
            at = column + offset
            found.append(Diagnostic.at(Span(number, at, number, at + 1),
                                       f"{character_name(char)} is not a digit the language "
                                       f"accepts{use}"))
            return
    meant = unicodedata.normalize("NFKC", word.translate(_LOOK_ALIKES))
    odd = next(char for char in word if not char.isascii())
    span = Span(number, column, number, column + len(word))
    if meant.isascii() and (meant in known_words() or meant.lower() in known_words()
                            or re.fullmatch(r"[A-Z]{3}", meant)):
        found.append(Diagnostic.at(span, f"`{word}` is written with a look-alike letter, "
                                         f"{character_name(odd)}", hint=f"did you mean `{meant}`?"))
        return
    at = column + word.index(odd)
    found.append(Diagnostic.at(Span(number, at, number, at + 1),
                               f"{character_name(odd)} is not a letter the language accepts",
                               hint="names are written with ASCII letters, digits and `_`; "
                                    "put other text in quotes"))


class _Nesting:
    """Indented blocks + open brackets + pending `not`s, on one count."""

    def __init__(self) -> None:
        self.indents = [0]
        self.brackets: list[int] = []  # the pending `not`s outside each open bracket
        self.nots = 0  # pending `not`s at the current bracket level
        self.continued = False  # the logical line goes on (open bracket or `\`)
        self.reported = False
        self.previous = ""

    def depth(self) -> int:
        return len(self.indents) - 1 + len(self.brackets) + sum(self.brackets) + self.nots

    def indent(self, number: int, width: int, found: list[Diagnostic]) -> None:
        if width == 0:
            self.reported = False  # a new top-level item: say it again where it happens
        while width < self.indents[-1]:
            self.indents.pop()
        if width > self.indents[-1]:
            self.indents.append(width)
            self.check(Span(number, 1, number, width + 1), found)

    def token(self, token: str, span: Span, found: list[Diagnostic]) -> None:
        if token in ("(", "["):
            self.brackets.append(self.nots)
            self.nots = 0
            self.check(span, found)
        elif token in (")", "]"):
            self.nots = self.brackets.pop() if self.brackets else 0
        elif token == "not":
            self.nots += 1
            self.check(span, found)
        elif token in _RESETS_NOT or token in (",", ":"):
            if token == "in" and self.previous == "not":
                self.nots -= 1  # `x not in y` is a comparison, not a nesting `not`
            self.nots = 0 if token != "in" else self.nots
        self.previous = token

    def line_end(self, line: str) -> None:
        self.continued = bool(self.brackets) or line.rstrip().endswith("\\")
        if not self.continued:
            self.nots = 0

    def check(self, span: Span, found: list[Diagnostic]) -> None:
        depth = self.depth()
        if depth > MAX_NESTING and not self.reported:
            self.reported = True
            found.append(Diagnostic.at(span, f"this nests too deeply: {depth} levels of blocks, "
                                             f"brackets and `not` (the limit is {MAX_NESTING})",
                                       hint="name a part with `let`, or split the rule"))
