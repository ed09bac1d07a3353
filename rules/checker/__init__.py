"""Phase 2, checking: AST → diagnostics and what the program declares (rules, limits, budgets,
contests, examples), with each rule's worst-case cost. Names, types, currencies, overlaps and
reachability are checked here; nothing is evaluated.
"""

from rules.checker.analysis import Cost, order_cap
from rules.checker.cost import RuleBound
from rules.checker.expr_check import Typed
from rules.checker.program_check import Checker, CheckOutcome
from rules.checker.program_data import BudgetInfo, ContestInfo, ExampleInfo, LimitInfo, RuleInfo

__all__ = [
    "BudgetInfo", "CheckOutcome", "Checker", "ContestInfo", "Cost", "ExampleInfo", "LimitInfo",
    "RuleBound", "RuleInfo", "Typed", "order_cap",
]
