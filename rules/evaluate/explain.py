"""Explanations for the interpreter: the values a condition saw, and nearest-miss hints such as
"spend 20.01 USD more to earn 50 USD"."""

from __future__ import annotations

from rules.evaluate.run import Run
from rules.evaluate.values import as_money, show
from rules.facts import Missing, Money, fact_named, quantum
from rules.source import EvaluationError
from rules.syntax import ast, give_value_text

_SPEND_FACTS = frozenset({"order_total", "order_subtotal"})


class Explanations:
    """Mixin of `Interpreter`: uses its `eval` and `name`."""

    def values_seen(self, run: Run, cond: ast.Expr, env: dict) -> str | None:
        shown: dict[str, str] = {}
        stack = [cond]
        while stack and len(shown) < 6:
            node = stack.pop()
            if isinstance(node, ast.Name):
                try:
                    shown.setdefault(node.dotted, show(self.name(run, node, env)))
                except (Missing, EvaluationError):
                    shown.setdefault(node.dotted, "missing")
            elif isinstance(node, ast.Binary | ast.Compare):
                stack.extend((node.right, node.left))
            elif isinstance(node, ast.Unary):
                stack.append(node.operand)
        return ", ".join(f"{k} = {v}" for k, v in shown.items()) or None

    def miss_hint(self, run: Run, cond: ast.Expr, env: dict, body) -> None:
        """`spend 20.01 USD more to earn 50 USD` when an amount condition alone held us back."""
        parts = _conjuncts(cond)
        gaps = []
        for part in parts:
            try:
                if self.eval(run, part, env):
                    continue
                gap = self.spend_gap(run, part, env)
            except (Missing, EvaluationError):
                return
            if gap is None:
                return
            gaps.append(gap)
        give = _first_give(body)
        if len(gaps) == 1 and give is not None:
            run.hints.append(f"spend {gaps[0]} more to earn {give_value_text(give)}")

    def spend_gap(self, run: Run, part: ast.Expr, env: dict) -> Money | None:
        if not (isinstance(part, ast.Compare) and part.op in (">", ">=")):
            return None
        if not isinstance(part.left, ast.Name):
            return None
        found = fact_named(part.left.dotted)
        if found is None or found[0] not in _SPEND_FACTS:
            return None
        have = self.eval(run, part.left, env)
        need = as_money(self.eval(run, part.right, env), have.currency)  # type: ignore[union-attr]
        gap = need - have  # type: ignore[operator]
        if part.op == ">":
            gap = gap + Money(quantum(gap.currency), gap.currency)
        return gap if gap.amount > 0 else None

    def tier_hint(self, run: Run, tier: ast.Tier, subject, reached, env) -> None:
        found = fact_named(tier.subject.dotted) if isinstance(tier.subject, ast.Name) else None
        if found is None or found[0] not in _SPEND_FACTS or not isinstance(subject, Money):
            return
        above = None
        for arm in tier.arms:
            if arm is reached:
                break
            if arm.bound is not None:
                above = arm
        if above is not None:
            need = as_money(self.eval(run, above.bound, env), subject.currency)
            run.hints.append(f"spend {need - subject} more to earn {give_value_text(above.give)}")


def _conjuncts(cond: ast.Expr) -> list[ast.Expr]:
    if isinstance(cond, ast.Binary) and cond.op == "and":
        return _conjuncts(cond.left) + _conjuncts(cond.right)
    return [cond]


def _first_give(body) -> ast.Give | None:
    for stmt in body:
        if isinstance(stmt, ast.Give):
            return stmt
        if isinstance(stmt, ast.If):
            found = _first_give(stmt.branches[0].body)
            if found:
                return found
    return None
