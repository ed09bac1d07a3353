"""The language's tools, above the phases: the `referrals` CLI (`cli`), the formatter and the
editor's expression types (`expr_types`, a module so the dashboard can lower its limit)."""

from rules.tools import expr_types
from rules.tools.expr_types import ExprType, expression_types
from rules.tools.formatter import format_source

__all__ = ["ExprType", "expr_types", "expression_types", "format_source"]
