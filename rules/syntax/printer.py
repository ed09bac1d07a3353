"""Canonical source text of expressions and rewards, for traces, warnings and `referrals fmt`."""

from __future__ import annotations

from decimal import Decimal

from rules.syntax import ast

# Binding strength, loosest first; a child binding looser than its parent gets parentheses.
_LEVEL = {"or": 1, "and": 2, "not": 3, "compare": 4, "+": 5, "-": 5, "*": 6, "/": 6, "of": 6,
          "neg": 8, "atom": 9}


def number_text(value: Decimal) -> str:
    text = format(value, "f")
    return text


def _level(expr: ast.Expr) -> int:
    if isinstance(expr, ast.Binary):
        return _LEVEL[expr.op]
    if isinstance(expr, ast.Compare):
        return _LEVEL["compare"]
    if isinstance(expr, ast.Unary):
        return _LEVEL["not"] if expr.op == "not" else _LEVEL["neg"]
    return _LEVEL["atom"]


def _wrap(expr: ast.Expr, minimum: int) -> list[str | ast.Expr]:
    """The child as pieces, in parentheses when it binds looser than `minimum`."""
    return ["(", expr, ")"] if _level(expr) < minimum else [expr]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _joined(items: tuple[ast.Expr, ...] | list[ast.Expr]) -> list[str | ast.Expr]:
    pieces: list[str | ast.Expr] = []
    for n, item in enumerate(items):
        if n:
            pieces.append(", ")
        pieces.append(item)
    return pieces


def _pieces(expr: ast.Expr) -> list[str | ast.Expr]:
    """One node as text and child expressions, in source order (children are expanded later)."""
    match expr:
        case ast.Number(value=value):
            return [number_text(value)]
        case ast.MoneyLit(amount=amount, currency=currency):
            return [f"{number_text(amount)} {currency}"]
        case ast.PercentLit(value=value):
            return [f"{number_text(value)}%"]
        case ast.DurationLit(days=days, unit=unit):
            if unit == "weeks" and days % 7 == 0:
                weeks = days // 7
                return [f"{weeks} week" + ("s" if weeks != 1 else "")]
            return [f"{days} day" + ("s" if days != 1 else "")]
        case ast.StringLit(value=value):
            return [_quote(value)]
        case ast.DateLit(text=text):
            return [text]
        case ast.BoolLit(value=value):
            return ["true" if value else "false"]
        case ast.Name():
            return [expr.dotted]
        case ast.ListLit(items=items):
            return ["[", *_joined(items), "]"]
        case ast.Unary(op="not", operand=operand):
            return ["not ", *_wrap(operand, _LEVEL["not"])]
        case ast.Unary(operand=operand):
            return ["-", *_wrap(operand, _LEVEL["neg"])]
        case ast.Binary(op=op, left=left, right=right):
            level = _LEVEL[op]
            # Left-associative: the right child needs parentheses at equal strength.
            right_min = level + 1 if op not in ("and", "or") else level
            return [*_wrap(left, level), f" {op} ", *_wrap(right, right_min)]
        case ast.Compare(op=op, left=left, right=right):
            level = _LEVEL["compare"]
            return [*_wrap(left, level + 1), f" {op} ", *_wrap(right, level + 1)]
        case ast.Aggregate(func=func, item=item, var=var, source=source, where=where):
            tail: list[str | ast.Expr] = [" where ", where] if where is not None else []
            if item is None:
                return [f"{func}(", source, *tail, ")"]
            return [f"{func}(", item, f" for {var} in ", source, *tail, ")"]
        case ast.Call(func=func, args=args):
            return [f"{func}(", *_joined(args), ")"]
    raise TypeError(f"not an expression: {expr!r}")


def expr_text(expr: ast.Expr) -> str:
    """The expression as canonical source (stable: equal meaning-free layout → equal text).

    Iterative, so a 19,000-term sum formats like a short one: each node is replaced by its
    pieces on an explicit stack, and text is written out in order.
    """
    out: list[str] = []
    todo: list[str | ast.Expr] = [expr]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            out.append(item)
        else:
            todo.extend(reversed(_pieces(item)))
    return "".join(out)


def reward_text(spec: ast.RewardSpec) -> str:
    value = expr_text(spec.value) if spec.value is not None else ""
    match spec.kind:
        case "amount":
            return value
        case "points":
            if spec.value is None:
                return "points"
            text = expr_text(spec.value)
            return f"({text}) points" if _level(spec.value) < _LEVEL["atom"] else f"{text} points"
        case "discount":
            return f"{value} off order"
        case "voucher":
            return f"{value} off next order"
        case "free_shipping":
            return "free shipping on next order" if spec.next_order else "free shipping"
        case "free_product":
            return f"free product {_quote(spec.product or '')}"
    raise TypeError(f"unknown reward kind {spec.kind!r}")


def modifiers_text(give: ast.Give) -> str:
    parts = []
    if give.delivery == "gift_card":
        parts.append("as gift card")
    elif give.delivery == "store_credit":
        parts.append("as store credit")
    if give.max_amount is not None:
        parts.append(f"max {expr_text(give.max_amount)}")
    if give.hold_days is not None:
        parts.append(hold_text(give.hold_days, give.hold_after))
    if give.expires_days is not None:
        unit = "day" if give.expires_days == 1 else "days"
        parts.append(f"expires {give.expires_days} {unit}")
    return " ".join(parts)


def hold_text(days: int, after: str | None) -> str:
    text = f"hold {days} " + ("day" if days == 1 else "days")
    return text + (f" after {after}" if after else "")


def give_value_text(give: ast.Give) -> str:
    """The reward and its modifiers, without `give <recipient>`."""
    if isinstance(give.reward, ast.Tier):
        return tier_inline_text(give.reward)
    mods = modifiers_text(give)
    return reward_text(give.reward) + (f" {mods}" if mods else "")


def arm_text(arm: ast.TierArm) -> str:
    value = give_value_text(arm.give)
    if arm.bound is None:
        return f"else -> {value}"
    return f"{expr_text(arm.bound)}+ -> {value}"


def tier_inline_text(tier: ast.Tier) -> str:
    return f"tier {expr_text(tier.subject)}: " + ", ".join(arm_text(a) for a in tier.arms)


def give_text(give: ast.Give) -> str:
    return f"give {give.recipient} {give_value_text(give)}"
