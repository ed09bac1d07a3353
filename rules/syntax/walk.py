"""Walks over the AST that more than one phase needs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from rules.syntax import ast


def names_in(expr: ast.Expr) -> Iterator[ast.Name]:
    """Every name an expression reads, left to right."""
    if isinstance(expr, ast.Name):
        yield expr
        return
    for field in dataclasses.fields(expr):
        value = getattr(expr, field.name)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if dataclasses.is_dataclass(child) and not isinstance(child, type) and hasattr(
                    child, "span") and not isinstance(child, ast.Give):
                yield from names_in(child)  # type: ignore[arg-type]


def gives_in(stmts: tuple[ast.Stmt, ...]) -> Iterator[ast.Give]:
    """Every `give` of a rule body, through if/elif/else and tier arms."""
    for stmt in stmts:
        if isinstance(stmt, ast.Give):
            yield stmt
            if isinstance(stmt.reward, ast.Tier):
                for arm in stmt.reward.arms:
                    yield from gives_in((arm.give,))
        elif isinstance(stmt, ast.If):
            for branch in stmt.branches:
                yield from gives_in(branch.body)
            if stmt.else_body:
                yield from gives_in(stmt.else_body)
