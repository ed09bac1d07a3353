"""Known values of String facts: `customer.segment == "champion"` can never hold, so the checker
says so and names the nearest value, in conditions and in example blocks alike."""

from __future__ import annotations

import difflib

from rules.checker.expr_check import ExprChecker, Typed
from rules.facts import fact_named
from rules.syntax import ast


class ValueChecker(ExprChecker):
    """Mixin: a string literal compared with (or set on) a fact that has known values is one of
    them. Literals only: a `let` or another fact could be anything, and is not second-guessed."""

    def compare(self, e: ast.Compare, depth: int) -> Typed:
        typed = super().compare(e, depth)
        if e.op in ("==", "!="):
            self.known_value(e.left, e.right)
            self.known_value(e.right, e.left)
        elif e.op in ("in", "not in") and isinstance(e.right, ast.ListLit):
            for item in e.right.items:
                self.known_value(e.left, item)
        return typed

    def example_fact(self, assign: ast.FactAssign) -> None:
        super().example_fact(assign)  # type: ignore[misc]
        if assign.value is not None:
            self.known_value(assign.path, assign.value)

    def known_value(self, fact: ast.Expr, literal: ast.Expr) -> None:
        """Report `literal` when `fact` names a fact with known values and it is none of them."""
        if not isinstance(fact, ast.Name) or not isinstance(literal, ast.StringLit):
            return
        if self.lookup_scope(fact.parts[0]) is not None:
            return
        found = fact_named(fact.dotted)
        if found is None or not found[1].values or literal.value in found[1].values:
            return
        named = [value for value in found[1].values if value]
        close = difflib.get_close_matches(literal.value, named, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else "one of " + ", ".join(
            f'"{value}"' for value in named) + ', or "" for none yet'
        self.error(literal.span, f'"{literal.value}" is never a value of `{found[0]}`', hint)
