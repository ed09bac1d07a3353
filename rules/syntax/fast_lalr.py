"""A fused lexer + Indenter + LALR loop over the tables Lark built: the hot path of a parse.

Lark's contextual lexer, Indenter post-lexer and parser run as three layers of generators and
objects per token; this runs the same per-state scanners, the same parse table and the same
inline-transformer callbacks in one loop. It only handles valid input: on any failure it raises
`FastPathFailed`, and the caller re-parses with Lark itself, which then raises its exact error.
"""

from __future__ import annotations

import functools
import re

from lark import Lark, Token
from lark.lexer import _create_unless
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
from lark.parsers.lalr_analysis import Shift


class FastPathFailed(Exception):
    """The text is not valid (or not handled here): parse it with Lark for the real error."""


new_str = str.__new__


_BLANKS = "[\t \f]*"


def _skipping_blanks(alternation: str, flags: int) -> re.Pattern:
    """The state's alternation of terminals, matched after any run of blanks: the grammar ignores
    `[\t \f]+` and no other terminal starts with a blank, so Lark would match the same terminal
    at the same place one (ignored) token later. This saves a loop turn per blank run."""
    compiled = re.compile(_BLANKS + "(?:" + alternation + ")", flags)
    blanks = compiled.match(" \t\f")  # the blanks terminal alone, once the prefix gives way
    if blanks is None or blanks.group(0) != " \t\f":  # pragma: no cover - grammar check
        raise ValueError("the grammar no longer ignores blanks")
    return compiled


def _alternation(lexer) -> tuple[str, dict]:
    """What Lark's scanner of a state matches — its terminals joined into one alternation, as
    Lark's `Scanner` joins them, and its `unless` callbacks — without compiling Lark's own copy:
    the fast path compiles only its blank-skipping one, and Lark compiles its own on the day it
    lexes a text itself (an invalid one)."""
    terminals, callbacks = _create_unless(lexer.terminals, lexer.g_regex_flags, lexer.re,
                                          lexer.use_bytes)
    return "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals), callbacks


class _Run:
    """A repetition's items (`x*`, `x+`), which the parent rule's child filter splices in: all
    a `lark.Tree` is used for there, without its construction through `Transformer.__default__`."""

    __slots__ = ("children",)

    def __init__(self, children: list) -> None:
        self.children = children


def _lighter(name: str, callback):
    """The callback of Lark's own repetition rules (`__item_star_0`), building a `_Run`."""
    if not name.startswith("__"):
        return callback
    if isinstance(callback, functools.partial):
        return _Run
    if type(callback) is ChildFilterLALR_NoPlaceholders and isinstance(
            callback.node_builder, functools.partial):
        return ChildFilterLALR_NoPlaceholders(callback.to_include, _Run)
    return callback


class FastLalr:
    """Per-grammar tables, built once from a `Lark(parser="lalr", lexer="contextual")` with an
    Indenter post-lexer and an inline transformer."""

    def __init__(self, lark: Lark) -> None:
        frontend = lark.parser
        contextual = frontend.lexer.lexer
        parser = frontend.parser.parser
        indenter = frontend.lexer.postlexer
        table = parser.parse_table
        callbacks = parser.callbacks
        if any(isinstance(key, str) for key in callbacks):
            raise ValueError("terminal callbacks are not supported by the fast path")
        self.start_state = table.start_states["start"]
        self.end_state = table.end_states["start"]
        # state -> {symbol: (True, next state) | (False, (size, callback, origin, unit))}; names
        # as plain `str`: Lark's are Tokens, whose Python-level `__eq__` slows every lookup.
        reductions: dict = {}
        self.actions: dict[int, dict[str, tuple]] = {}
        for state, row in table.states.items():
            fast_row = {}
            for symbol, (action, arg) in row.items():
                if action is Shift:
                    fast_row[str(symbol)] = (True, arg)
                else:
                    if arg not in reductions:
                        size = len(arg.expansion)
                        callback = _lighter(str(arg.origin.name), callbacks[arg])
                        # `?rule: one_symbol` hands its child up unchanged: only the state moves
                        unit = size == 1 and type(callback) is ExpandSingleChild
                        reductions[arg] = (size, callback, str(arg.origin.name), unit)
                    fast_row[str(symbol)] = (False, reductions[arg])
            self.actions[state] = fast_row
        # state -> (compiled alternations, unless callbacks, ignored types, multi-line types),
        # filled as parses reach each state: a program visits a fraction of the states, and
        # compiling their regular expressions is most of what building this costs
        self._state_lexers = contextual.lexers
        self._scanners: dict[int, tuple] = {}
        self.lexers: dict[int, tuple] = {}
        self.nl_type = indenter.NL_type
        self.indent_type, self.dedent_type = indenter.INDENT_type, indenter.DEDENT_type
        self.open_types = frozenset(indenter.OPEN_PAREN_types)
        self.close_types = frozenset(indenter.CLOSE_PAREN_types)
        self.tab_len = indenter.tab_len

    def _lexer_of(self, state: int) -> tuple:
        """The scanners of a state's contextual lexer, built on the first visit to the state."""
        lexer = self._state_lexers[state]
        key = id(lexer)
        if key not in self._scanners:
            alternation, callbacks = _alternation(lexer)
            if any(kind in callbacks for kind in lexer.ignore_types):
                raise ValueError("callbacks on ignored terminals are not supported")
            self._scanners[key] = ((_skipping_blanks(alternation, lexer.g_regex_flags),),
                                   callbacks,
                                   frozenset(lexer.ignore_types), frozenset(lexer.newline_types))
        self.lexers[state] = self._scanners[key]
        return self.lexers[state]

    def parse(self, text: str):  # one hot loop, on purpose: calls cost per token
        """What `lark.parse(text)` returns for valid text; `FastPathFailed` otherwise."""
        actions, lexers, end_state = self.actions, self.lexers, self.end_state
        nl_type, indent_type, dedent_type = self.nl_type, self.indent_type, self.dedent_type
        open_types, close_types, tab_len = self.open_types, self.close_types, self.tab_len
        state_stack = [self.start_state]
        value_stack: list = []
        indent_levels = [0]
        paren_level = 0
        pos, line, line_start, end = 0, 1, 0, len(text)
        last_lexed = last_fed = None  # the Indenter's last input, the parser's last input

        def feed(token: Token, is_end: bool = False):
            """Lark's `ParserState.feed_token`, on the precomputed rows."""
            kind = token.type
            while True:
                try:
                    is_shift, arg = actions[state_stack[-1]][kind]
                except KeyError:
                    raise FastPathFailed from None
                if is_shift:
                    if is_end:
                        raise FastPathFailed
                    state_stack.append(arg)
                    value_stack.append(token)
                    return None
                size, callback, origin, unit = arg
                if unit:
                    del state_stack[-1]
                    goto = actions[state_stack[-1]][origin][1]
                    state_stack.append(goto)
                    if is_end and goto == end_state:
                        return value_stack[-1]
                    continue
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value = callback(children)
                is_shift, goto = actions[state_stack[-1]][origin]
                state_stack.append(goto)
                value_stack.append(value)
                if is_end and goto == end_state:
                    return value

        while pos < end:
            try:
                mres, unless, ignored, multiline = lexers[state_stack[-1]]
            except KeyError:
                mres, unless, ignored, multiline = self._lexer_of(state_stack[-1])
            for mre in mres:
                match = mre.match(text, pos)
                if match:
                    break
            else:
                raise FastPathFailed
            kind = match.lastgroup
            value = match.group(kind)
            pos = match.end()
            start = pos - len(value)  # past the blanks `_skipping_blanks` let it skip
            start_line, column = line, start - line_start + 1
            if kind in multiline:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = start + value.rindex("\n") + 1
            if kind in ignored:
                continue
            token = new_str(Token, value)  # Token.__new__'s keyword handling costs per token
            token.type, token.value, token.start_pos = kind, value, start
            token.line, token.column, token.end_line, token.end_column, token.end_pos = (
                start_line, column, line, pos - line_start + 1, pos)
            if kind in unless:
                token = unless[kind](token)
                kind = token.type
            last_lexed = token
            if kind == nl_type:
                if paren_level > 0:
                    continue
                last_fed = token
                feed(token)
                indent_text = value.rsplit("\n", 1)[1]
                indent = indent_text.count(" ") + indent_text.count("\t") * tab_len
                if indent > indent_levels[-1]:
                    indent_levels.append(indent)
                    last_fed = Token.new_borrow_pos(indent_type, indent_text, token)
                    feed(last_fed)
                else:
                    while indent < indent_levels[-1]:
                        indent_levels.pop()
                        last_fed = Token.new_borrow_pos(dedent_type, indent_text, token)
                        feed(last_fed)
                    if indent != indent_levels[-1]:
                        raise FastPathFailed
                continue
            last_fed = token
            while True:  # `feed(token)` inlined: the path of nearly every token
                try:
                    is_shift, arg = actions[state_stack[-1]][kind]
                except KeyError:
                    raise FastPathFailed from None
                if is_shift:
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, callback, origin, unit = arg
                if unit:
                    state_stack[-1] = actions[state_stack[-2]][origin][1]
                    continue
                children = value_stack[-size:] if size else []
                if size:
                    del state_stack[-size:]
                    del value_stack[-size:]
                state_stack.append(actions[state_stack[-1]][origin][1])
                value_stack.append(callback(children))
            if kind in open_types:
                paren_level += 1
            elif kind in close_types:
                paren_level -= 1
                if paren_level < 0:
                    raise FastPathFailed
        while len(indent_levels) > 1:
            indent_levels.pop()
            last_fed = (Token.new_borrow_pos(dedent_type, "", last_lexed) if last_lexed is not None
                        else Token(dedent_type, "", 0, 0, 0, 0, 0, 0))
            feed(last_fed)
        end_token = Token.new_borrow_pos("$END", "", last_fed) if last_fed is not None else Token(
            "$END", "", 0, 1, 1)
        return feed(end_token, is_end=True)
