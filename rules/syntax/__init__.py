"""Phase 1, syntax: source text → AST. The grammar's LALR tables load with the first parse
(`lark_parser`); `screen` refuses what the grammar must never see; `printer` writes AST back as
source; `walk` visits it. The only phase that imports Lark.
"""

from rules.syntax import ast
from rules.syntax.parser import parse, parse_recovering
from rules.syntax.printer import (
    arm_text,
    expr_text,
    give_text,
    give_value_text,
    hold_text,
    reward_text,
)
from rules.syntax.screen import BOM, MAX_NESTING
from rules.syntax.walk import gives_in, names_in

__all__ = [
    "BOM", "MAX_NESTING", "arm_text", "ast", "expr_text", "give_text", "give_value_text",
    "gives_in", "hold_text", "names_in", "parse", "parse_recovering", "reward_text",
]
