"""`referrals fmt`: one canonical layout for a program, comments kept where they were.

Printed from the AST (4-space blocks, one blank line between top-level items, canonical
expressions), so formatting twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rules.source import RulesError
from rules.syntax import (
    arm_text,
    ast,
    expr_text,
    give_text,
    give_value_text,
    hold_text,
    parse,
)

INDENT = "    "


@dataclass
class _Line:
    depth: int
    text: str
    source_line: int | None  # None for blank lines


@dataclass(frozen=True)
class _Comment:
    line: int
    text: str
    own_line: bool


def format_source(source: str) -> str:
    node, diagnostics = parse(source)
    if node is None:
        raise RulesError(diagnostics, source)
    out: list[_Line] = []
    if node.header is not None:
        header = f"program {_q(node.header.name)}"
        if node.header.currency:
            header += f" currency {node.header.currency}"
        out.append(_Line(0, header, node.header.span.line))
    previous: ast.Item | None = None
    for item in node.items:
        grouped = isinstance(item, _DECLARATIONS) and isinstance(previous, _DECLARATIONS)
        if out and not grouped:
            out.append(_Line(0, "", None))
        _item(item, out)
        previous = item
    return _with_comments(out, _comments(source))


_DECLARATIONS = (ast.LimitDecl, ast.BudgetDecl, ast.CeilingDecl)


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _trigger(spec: ast.TriggerSpec) -> str:
    text = spec.trigger.value
    if spec.periods is not None:
        text += f" for {spec.periods} " + ("period" if spec.periods == 1 else "periods")
    if spec.channel is not None:
        text += f" {_q(spec.channel)}"
    if spec.contest is not None:
        text += f" {_q(spec.contest)}"
    return text


def _item(item: ast.Item, out: list[_Line]) -> None:
    line = item.span.line
    if isinstance(item, ast.Rule):
        if item.implicit:
            _block(item.body, 0, out)
            return
        head = (f"rule {_q(item.label)} " if item.label else "") + f"on {_trigger(item.trigger)}"
        if item.when is not None:
            head += f" when {expr_text(item.when)}"
        out.append(_Line(0, head + ":", line))
        _block(item.body, 1, out)
    elif isinstance(item, ast.LimitDecl):
        if item.kind == "per_person":
            noun = "reward" if item.count == 1 else "rewards"
            out.append(_Line(0, f"limit {item.recipient} {item.count} {noun} per {item.period}",
                             line))
        else:
            who = f"{item.recipient} " if item.recipient else ""
            out.append(_Line(0, f"limit {who}reward {item.cap_op} {expr_text(item.cap)}", line))
    elif isinstance(item, ast.BudgetDecl):
        per = f" per {item.period}" if item.period else ""
        out.append(_Line(0, f"budget {expr_text(item.amount)}{per}", line))
    elif isinstance(item, ast.CeilingDecl):
        out.append(_Line(0, f"ceiling {expr_text(item.amount)}", line))
    elif isinstance(item, ast.Contest):
        _contest(item, out)
    elif isinstance(item, ast.Example):
        _example(item, out)
    elif isinstance(item, ast.ABTest):
        _ab_test(item, out)


def _ab_test(test: ast.ABTest, out: list[_Line]) -> None:
    salt = f" salt {_q(test.salt)}" if test.salt is not None else ""
    out.append(_Line(0, f"ab test {_q(test.name)}{salt}:", test.span.line))
    for variant in test.variants:
        weight = f" weight {variant.weight}" if variant.weight != 1 else ""
        out.append(_Line(1, f"variant {_q(variant.name)}{weight}:", variant.span.line))
        for index, rule in enumerate((*variant.rules, *variant.examples)):
            if index:
                out.append(_Line(0, "", None))
            inner: list[_Line] = []
            _item(rule, inner)
            out.extend(_Line(line.depth + 2, line.text, line.source_line) for line in inner)


def _contest(c: ast.Contest, out: list[_Line]) -> None:
    out.append(_Line(0, f"contest {_q(c.name)} from {c.start.text} to {c.end.text}:", c.span.line))
    if c.entrants is not None:
        where = f" where {expr_text(c.entrants_where)}" if c.entrants_where is not None else ""
        out.append(_Line(1, f"entrants {c.entrants}{where}", (c.entrants_span or c.span).line))
    if c.score is not None:
        out.append(_Line(1, f"score {c.score.dotted}", c.score.span.line))
    if c.minimum is not None:
        out.append(_Line(1, f"minimum {expr_text(c.minimum)}", c.minimum.span.line))
    for prize in c.prizes:
        ranks = str(prize.first) if prize.first == prize.last else f"{prize.first}..{prize.last}"
        out.append(_Line(1, f"prize {ranks}: {give_value_text(prize.give)}", prize.span.line))
    if c.ties is not None:
        out.append(_Line(1, f"ties go to {c.ties}", (c.ties_span or c.span).line))


def _example(example: ast.Example, out: list[_Line]) -> None:
    on = f" on {_trigger(example.trigger)}" if example.trigger else ""
    out.append(_Line(0, f"example {_q(example.name)}{on}:", example.span.line))
    for entry in example.entries:
        if isinstance(entry, ast.ExampleFacts):
            text = ", ".join(a.path.dotted + (f" = {expr_text(a.value)}" if a.value else "")
                             for a in entry.assigns)
        elif isinstance(entry, ast.ExampleLine):
            text = "line " + " ".join(f"{name} {expr_text(v)}" for name, v, _ in entry.attrs)
        else:
            text = "expect " + ", ".join(_expectation(x) for x in entry.expectations)
        out.append(_Line(1, text, entry.span.line))


def _expectation(x: ast.Expectation) -> str:
    if x.hint is not None:
        return f"hint {_q(x.hint)}"
    if x.nothing:
        return f"{x.recipient} gets nothing" if x.recipient else "nothing"
    return f"{x.recipient} gets {give_value_text(x.give)}"  # type: ignore[arg-type]


def _block(stmts: tuple[ast.Stmt, ...], depth: int, out: list[_Line]) -> None:
    for stmt in stmts:
        _stmt(stmt, depth, out)


def _stmt(stmt: ast.Stmt, depth: int, out: list[_Line]) -> None:
    line = stmt.span.line
    if isinstance(stmt, ast.Let):
        out.append(_Line(depth, f"let {stmt.name} = {expr_text(stmt.value)}", line))
    elif isinstance(stmt, ast.Hold):
        out.append(_Line(depth, hold_text(stmt.days, stmt.after), line))
    elif isinstance(stmt, ast.Give):
        _give(stmt, depth, out)
    elif stmt.inline:
        out.append(_Line(depth, _inline_if(stmt), line))
    else:
        keyword = "if"
        for branch in stmt.branches:
            out.append(_Line(depth, f"{keyword} {expr_text(branch.condition)}:",
                             branch.condition.span.line))
            _block(branch.body, depth + 1, out)
            keyword = "elif"
        if stmt.else_body is not None:
            out.append(_Line(depth, "else:", stmt.else_body[0].span.line - 1))
            _block(stmt.else_body, depth + 1, out)


def _give(give: ast.Give, depth: int, out: list[_Line]) -> None:
    tier = give.reward
    if isinstance(tier, ast.Tier) and tier.block:
        out.append(_Line(depth, f"give {give.recipient} tier {expr_text(tier.subject)}:",
                         give.span.line))
        for arm in tier.arms:
            out.append(_Line(depth + 1, arm_text(arm), arm.span.line))
        return
    out.append(_Line(depth, give_text(give), give.span.line))


def _inline_if(stmt: ast.If) -> str:
    first = stmt.branches[0].body[0]
    parts = []
    keyword = "if"
    for branch in stmt.branches:
        parts.append(f"{keyword} {expr_text(branch.condition)} "
                     f"{_inline_give(branch.body[0], first)}")
        keyword = "elif"
    if stmt.else_body is not None:
        parts.append(f"else {_inline_give(stmt.else_body[0], first)}")
    return " ".join(parts)


def _inline_give(give: ast.Give, first: ast.Give) -> str:
    """A continuation prints only the modifiers it does not inherit from the first give."""
    if not give.continued:
        return give_text(give)
    own = replace(
        give,
        delivery=None if give.delivery == first.delivery else give.delivery,
        hold_days=None if give.hold_days == first.hold_days else give.hold_days,
        hold_after=None if give.hold_days == first.hold_days else give.hold_after,
        expires_days=None if give.expires_days == first.expires_days else give.expires_days,
        max_amount=None if give.max_amount == first.max_amount else give.max_amount,
    )
    return give_value_text(own)


def _comments(source: str) -> list[_Comment]:
    """Every `# …` outside a string, with whether it stands on its own line."""
    found = []
    for number, raw in enumerate(source.splitlines(), start=1):
        in_string, escaped = False, False
        for index, char in enumerate(raw):
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "#":
                own = raw[:index].strip() == ""
                found.append(_Comment(number, raw[index:].rstrip(), own))
                break
    return found


def _with_comments(out: list[_Line], comments: list[_Comment]) -> str:
    own = [c for c in comments if c.own_line]
    suffix: dict[int, str] = {}
    code = [(i, e.source_line) for i, e in enumerate(out) if e.text and e.source_line is not None]
    for comment in (c for c in comments if not c.own_line):
        # The printed line that came from the comment's line, or the nearest one before it.
        best = next((i for i, line in reversed(code) if line <= comment.line), None)
        if best is None:
            own.append(_Comment(comment.line, comment.text, True))
            own.sort(key=lambda c: c.line)
        else:
            suffix[best] = suffix.get(best, "") + "  " + comment.text
    text: list[str] = []
    for index, entry in enumerate(out):
        if entry.source_line is not None:
            while own and own[0].line < entry.source_line:
                text.append(INDENT * entry.depth + own.pop(0).text)
        if entry.text:
            text.append(INDENT * entry.depth + entry.text + suffix.get(index, ""))
        else:
            text.append("")
    text.extend(c.text for c in own)
    while text and text[-1] == "":
        text.pop()
    return "\n".join(text) + "\n"
