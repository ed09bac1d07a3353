"""The Lark LALR parser itself: grammar, Indenter post-lexer, inline transformer, one lock.

Valid text takes the fused loop of `fast_lalr` over Lark's own tables; anything it cannot parse
is parsed again by Lark, so errors (and their parser states) are exactly Lark's. The tables come
prebuilt from the grammar package (`tables`) while they match the grammar and Lark's version."""

from __future__ import annotations

import functools
import threading

from lark import Lark
from lark.indenter import Indenter

from grammar import load_grammar
from rules.syntax import ast
from rules.syntax.fast_lalr import FastLalr
from rules.syntax.tables import tables_key, tables_load, tables_path, tables_write
from rules.syntax.transform import ToAst

GRAMMAR = "rules"
# fixed when the tables are built; the transformer and the post-lexer are given at every start
_OPTIONS = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": False}


class RulesIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LSQB"]
    CLOSE_PAREN_types = ["RPAR", "RSQB"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


def _runtime() -> dict:
    return {"postlex": RulesIndenter(), "transformer": ToAst()}


def parser_build() -> Lark:
    """The parser analysed from the grammar: what the shipped tables must be equal to."""
    return Lark(load_grammar(GRAMMAR), **_OPTIONS, **_runtime())


def parser_tables_key() -> str:
    return tables_key(load_grammar(GRAMMAR), _OPTIONS)


def parser_tables_write() -> None:
    """Builds the tables from the grammar and ships them beside it (scripts/build-parser-tables)."""
    tables_write(tables_path(GRAMMAR), parser_tables_key(), parser_build())


@functools.cache
def parser_shared() -> Lark:
    loaded = tables_load(tables_path(GRAMMAR), parser_tables_key(), **_runtime())
    return loaded if loaded is not None else parser_build()


@functools.cache
def _fast_parser() -> FastLalr:
    return FastLalr(parser_shared())


_PARSE_LOCK = threading.Lock()  # the Indenter keeps per-parse state on its instance


def raw_parse(text: str) -> ast.ProgramNode:
    with _PARSE_LOCK:
        try:
            return _fast_parser().parse(text)
        except Exception:  # invalid text: Lark parses it again and raises its exact error
            pass
        return parser_shared().parse(text)
