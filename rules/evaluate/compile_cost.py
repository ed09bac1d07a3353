"""The most steps the interpreter can count for a program, as a polynomial in the order's lines.

The compiled evaluator counts no steps: it runs only when this bound stays within the step limit
for the event's trigger and line count, and otherwise hands the facts to the interpreter, which
counts every step and stops at the limit. So the limit holds on both paths, with one meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

from rules.syntax import ast

# Coefficients of a polynomial in n (the number of lines): (c0, c1, c2, ...), all >= 0.
Poly = tuple[int, ...]
_MAX_LINES = 1 << 40
NO_LINE_LIMIT = _MAX_LINES  # what `most_lines` says when the lines cannot reach the limit


def _add(*polys: Poly) -> Poly:
    width = max((len(p) for p in polys), default=0)
    return tuple(sum(p[i] for p in polys if i < len(p)) for i in range(width))


def _max(polys: Iterable[Poly]) -> Poly:
    """A bound of each of them (coefficient-wise max; valid since n >= 0)."""
    polys = list(polys)
    width = max((len(p) for p in polys), default=0)
    return tuple(max((p[i] for p in polys if i < len(p)), default=0) for i in range(width))


def _times_lines(poly: Poly) -> Poly:
    return (0, *poly)


def at(poly: Poly, lines: int) -> int:
    return sum(c * lines**i for i, c in enumerate(poly))


def expr_steps(e: ast.Expr | None) -> Poly:
    """Steps of `Interpreter.eval` on `e`: one per node visited, aggregates once per line."""
    match e:
        case None:
            return ()
        case ast.ListLit(items=items) | ast.Call(args=items):
            return _add((1,), *(expr_steps(i) for i in items))
        case ast.Unary(operand=operand):
            return _add((1,), expr_steps(operand))
        case ast.Binary(left=left, right=right) | ast.Compare(left=left, right=right):
            return _add((1,), expr_steps(left), expr_steps(right))
        case ast.Aggregate(item=item, source=source, where=where):
            per_line = _add(expr_steps(where), expr_steps(item))
            return _add((1,), expr_steps(source), _times_lines(per_line))
    return (1,)


def _give_steps(give: ast.Give) -> Poly:
    if isinstance(give.reward, ast.Tier):
        tier = give.reward
        bounds = [expr_steps(arm.bound) for arm in tier.arms]
        return _add(expr_steps(tier.subject), *bounds, _max(_give_steps(a.give) for a in tier.arms))
    return _add(expr_steps(give.reward.value), expr_steps(give.max_amount))


def block_steps(stmts: Iterable[ast.Stmt]) -> Poly:
    """One step per statement, plus what each evaluates (the costliest branch of an `if`)."""
    total: Poly = ()
    for stmt in stmts:
        total = _add(total, (1,))
        if isinstance(stmt, ast.Let):
            total = _add(total, expr_steps(stmt.value))
        elif isinstance(stmt, ast.Give):
            total = _add(total, _give_steps(stmt))
        elif isinstance(stmt, ast.If):
            conditions = [expr_steps(b.condition) for b in stmt.branches]
            bodies = [block_steps(b.body) for b in stmt.branches]
            if stmt.else_body is not None:
                bodies.append(block_steps(stmt.else_body))
            total = _add(total, *conditions, _max(bodies))
    return total


def rule_steps(rule: ast.Rule) -> Poly:
    return _add(expr_steps(rule.when), block_steps(rule.body))


def most_lines(poly: Poly, max_steps: int) -> int:
    """The most lines an order may have while `poly` stays within `max_steps` (-1: none)."""
    if at(poly, 0) > max_steps:
        return -1
    if len(poly) < 2 or not any(poly[1:]):
        return _MAX_LINES
    low, high = 0, 1
    while high < _MAX_LINES and at(poly, high) <= max_steps:
        low, high = high, high * 2
    if high >= _MAX_LINES:
        return _MAX_LINES
    while high - low > 1:  # at(low) fits, at(high) does not
        middle = (low + high) // 2
        low, high = (middle, high) if at(poly, middle) <= max_steps else (low, middle)
    return low
