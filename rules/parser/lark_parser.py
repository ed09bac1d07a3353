"""The Lark LALR parser itself: grammar, Indenter post-lexer, inline transformer, one lock.

Valid text takes the fused loop of `fast_lalr` over Lark's own tables; anything it cannot parse
is parsed again by Lark, so errors (and their parser states) are exactly Lark's."""

from __future__ import annotations

import functools
import threading

from lark import Lark
from lark.indenter import Indenter

from grammar import load_grammar
from rules import ast
from rules.parser.fast_lalr import FastLalr
from rules.parser.transform import _ToAst


class _RulesIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB"]
    CLOSE_PAREN_types = ["RPAR", "RSQB"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


@functools.cache
def _parser() -> Lark:
    return Lark(
        load_grammar("rules"),
        parser="lalr",
        lexer="contextual",
        postlex=_RulesIndenter(),
        transformer=_ToAst(),
        maybe_placeholders=False,
    )


@functools.cache
def _fast_parser() -> FastLalr:
    return FastLalr(_parser())


_PARSE_LOCK = threading.Lock()  # the Indenter keeps per-parse state on its instance


def _raw_parse(text: str) -> ast.ProgramNode:
    with _PARSE_LOCK:
        try:
            return _fast_parser().parse(text)
        except Exception:  # invalid text: Lark parses it again and raises its exact error
            pass
        return _parser().parse(text)
