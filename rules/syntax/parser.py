"""The only package that touches Lark: a cached LALR parser that builds the AST while parsing.

Spans come from tokens (no `propagate_positions`), the Transformer runs inline, top-level items
are parsed (and cached) one by one, and every Lark failure becomes a `Diagnostic` named by
example (as Lark's `match_examples` does), never a token dump. Nothing Lark leaves this package.
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from collections import OrderedDict
from dataclasses import replace

from lark.exceptions import LarkError, UnexpectedInput
from lark.indenter import DedentError

from rules.source import Diagnostic, Span
from rules.syntax import ast
from rules.syntax.errors import dedent_diagnostic, syntax_diagnostic
from rules.syntax.lark_parser import RulesIndenter, parser_shared, raw_parse
from rules.syntax.screen import screen
from rules.syntax.tokens import implicit_rule, program_node

__all__ = [
    "RulesIndenter",
    "_parse_chunk",
    "clear_cache",
    "parse",
    "parse_recovering",
    "parser_shared",
]


def parse(source: str, filename: str = "program.rules") -> tuple[ast.ProgramNode | None, list]:
    """The AST, or None and the syntax errors (as Diagnostics) that stopped parsing."""
    node, errors, _rest = parse_recovering(source, filename)
    return node, errors


def parse_recovering(
    source: str, filename: str = "program.rules"
) -> tuple[ast.ProgramNode | None, list[Diagnostic], ast.ProgramNode | None]:
    """Parse top-level item by item: (the AST, the syntax errors, the AST of the items that did
    parse when some did not). Items are parsed separately and cached by their text and first
    line, so an editor re-checking after a change re-parses only the items that changed, and
    one broken item does not hide the errors of the next."""
    source, screened = screen(source, filename)
    if screened:  # tabs in indentation, other digits, look-alike letters, too deep nesting
        return None, screened, None
    nodes: list[ast.ProgramNode] = []
    errors: list[Diagnostic] = []
    chunks = _split_items(source)
    with _CACHE_LOCK:
        known = [_CACHE.get(chunk) for chunk in chunks]
    if len(chunks) > 1 and all(result is None for result in known):
        _parse_whole(source, chunks)  # cold: one parse of the file is cheaper than one per item
    for first_line, chunk in chunks:
        node, error = _parse_chunk(first_line, chunk)
        if error is not None:
            errors.append(replace(error, filename=filename))
        elif node is not None:
            nodes.append(node)
    program = _assemble(nodes, errors, filename)
    if errors:
        return None, errors, program
    return program, [], None


def _split_items(source: str) -> list[tuple[int, str]]:
    """(first line, text) of each top-level item: a line at column 0 that is not a comment, an
    `elif`/`else`, or inside brackets or a `\\` continuation starts one. Leading comments go
    with the first item."""
    lines = source.split("\n")
    starts: list[int] = []
    depth, continued = 0, False
    for index, raw in enumerate(lines):
        if depth == 0 and not continued and raw[:1] not in ("", " ", "\t") and not raw.startswith(
                _CONTINUES_ITEM):
            starts.append(index)
        depth = max(0, depth + _bracket_balance(raw))
        continued = raw.rstrip().endswith("\\")
    if not starts:
        return [(1, source)]
    starts[0] = 0
    bounds = [*starts, len(lines)]
    return [(begin + 1, "\n".join(lines[begin:end])) for begin, end in itertools.pairwise(bounds)]


_CONTINUES_ITEM = ("elif", "else", "#")


def _bracket_balance(raw: str) -> int:
    """Opened minus closed brackets on a line, outside strings and comments."""
    if '"' in raw or "#" in raw:
        raw = _STRING_OR_COMMENT.sub("", raw)
    return raw.count("(") + raw.count("[") - raw.count(")") - raw.count("]")


# A string (to its closing quote, or the end of the line when unclosed) or a comment.
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"?|#.*')


ChunkResult = tuple[ast.ProgramNode | None, Diagnostic | None]
_CACHE: OrderedDict[tuple[int, str], ChunkResult] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4096


def clear_cache() -> None:
    """Forget every parsed item (benchmarks measure the cold path with it)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _remember(key: tuple[int, str], result: ChunkResult) -> None:
    with _CACHE_LOCK:
        _CACHE[key] = result
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def _parse_chunk(first_line: int, chunk: str) -> ChunkResult:
    """One item's AST or syntax error, from the cache when this text sat on this line before."""
    key = (first_line, chunk)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    # Blank lines in front keep every token's line number what it is in the whole file.
    text = "\n" * (first_line - 1) + chunk
    if not text.endswith("\n"):
        text += "\n"
    result: ChunkResult
    try:
        result = raw_parse(text), None
    except UnexpectedInput as exc:
        result = None, syntax_diagnostic(exc, text, "")
    except DedentError:
        result = None, dedent_diagnostic(text, "")
    except LarkError as exc:  # anything else Lark raises is still a syntax problem of the text
        span = Span(first_line, 1, first_line, 2)
        result = None, Diagnostic.at(span, f"cannot parse: {exc}")
    _remember(key, result)
    return result


def _parse_whole(source: str, chunks: list[tuple[int, str]]) -> None:
    """Parse the file at once and cache each item's part, exactly as parsing it alone would
    give; on a syntax error, leave it to the item-by-item parse."""
    try:
        node = raw_parse(source if source.endswith("\n") else source + "\n")
    except (LarkError, DedentError):
        return
    firsts = [first for first, _ in chunks]
    parts: list[list] = [[] for _ in chunks]

    def place(item) -> None:
        parts[bisect.bisect_right(firsts, item.span.line) - 1].append(item)

    for item in node.items:
        if isinstance(item, ast.Rule) and item.implicit:
            for stmt in item.body:  # each top-level statement starts an item of its own
                place(implicit_rule([stmt]))
        else:
            place(item)
    for index, (chunk, items) in enumerate(zip(chunks, parts, strict=True)):
        header = node.header if index == 0 else None
        merged: list = []
        for item in items:
            if merged and isinstance(item, ast.Rule) and item.implicit and merged[-1].implicit:
                merged[-1] = implicit_rule([*merged[-1].body, *item.body])
            else:
                merged.append(item)
        _remember(chunk, (program_node(header, merged), None))


def _assemble(nodes: list[ast.ProgramNode], errors: list[Diagnostic],
              filename: str) -> ast.ProgramNode:
    """One program from the items' ASTs: the header must come first, and consecutive top-level
    statements form one implicit `order paid` rule, as when the file is parsed whole."""
    header = None
    items: list = []
    for index, node in enumerate(nodes):
        if node.header is not None:
            if index == 0 and not items:
                header = node.header
            else:
                errors.append(Diagnostic.at(node.header.span, "the `program` header must come "
                                            "first", filename=filename))
        for item in node.items:
            previous = items[-1] if items else None
            if isinstance(item, ast.Rule) and item.implicit and isinstance(
                    previous, ast.Rule) and previous.implicit:
                items[-1] = implicit_rule([*previous.body, *item.body])
            else:
                items.append(item)
    errors.sort(key=lambda d: (d.line, d.column))
    return program_node(header, items)
