"""The Lark LALR parser itself: grammar, Indenter post-lexer, inline transformer, one lock."""

from __future__ import annotations

import functools
import threading

from lark import Lark
from lark.indenter import Indenter

from grammar import load_grammar
from rules import ast
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


_PARSE_LOCK = threading.Lock()  # the Indenter keeps per-parse state on its instance


def _raw_parse(text: str) -> ast.ProgramNode:
    with _PARSE_LOCK:
        return _parser().parse(text)
