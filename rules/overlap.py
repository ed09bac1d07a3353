"""Overlapping rules: two rules on the same trigger whose conditions can both hold and that both
reward the same recipient. Rewards of such rules add up, which is often not what was meant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules import ast
from rules.analysis import Ranges, narrow
from rules.contests import gives_in
from rules.facts import Trigger
from rules.schema import ORDER_TRIGGERS, fact_named

# Past this many rules on one trigger the pairwise comparison is skipped (it is quadratic).
MAX_COMPARED = 200


@dataclass(frozen=True, slots=True)
class Overlap:
    rule: ast.Rule  # the later rule: the warning points at it
    earlier: ast.Rule
    recipient: str


def _strings_fixed(cond: ast.Expr | None) -> dict[str, set[str]] | None:
    """`name == "text"` / `name in ["a", "b"]` facts the condition requires (through `and`);
    None when two of them contradict each other."""
    fixed: dict[str, set[str]] = {}
    for part in _conjuncts(cond):
        if not isinstance(part, ast.Compare) or part.op not in ("==", "in"):
            continue
        name, value = part.left, part.right
        if isinstance(name, ast.StringLit) and part.op == "==":
            name, value = value, name
        if not isinstance(name, ast.Name):
            continue
        found = fact_named(name.dotted)
        key = found[0] if found else name.dotted
        if isinstance(value, ast.StringLit):
            allowed = {value.value}
        elif isinstance(value, ast.ListLit) and all(isinstance(i, ast.StringLit)
                                                    for i in value.items):
            allowed = {i.value for i in value.items}  # type: ignore[union-attr]
        else:
            continue
        fixed[key] = fixed[key] & allowed if key in fixed else allowed
        if not fixed[key]:
            return None
    return fixed


def _conjuncts(cond: ast.Expr | None) -> Iterator[ast.Expr]:
    if cond is None:
        return
    if isinstance(cond, ast.Binary) and cond.op == "and":
        yield from _conjuncts(cond.left)
        yield from _conjuncts(cond.right)
    else:
        yield cond


def _both_can_hold(first: ast.Rule, second: ast.Rule) -> bool:
    a, b = first.trigger, second.trigger
    if a.channel is not None and b.channel is not None and a.channel != b.channel:
        return False
    if a.contest is not None and b.contest is not None and a.contest != b.contest:
        return False
    start: Ranges = {}
    for rule in (first, second):
        if rule.when is not None:
            narrowed = narrow(start, rule.when, True)
            if narrowed is None:
                return False
            start = narrowed
    both = ast.Binary("and", first.when, second.when, second.span) if (
        first.when is not None and second.when is not None) else (first.when or second.when)
    return _strings_fixed(both) is not None


def _recipients(rule: ast.Rule) -> set[str]:
    return {give.recipient for give in gives_in(rule.body)}


def overlapping_rules(rules: list[ast.Rule]) -> list[Overlap]:
    """Each later rule that can reward someone an earlier rule on its trigger also rewards,
    reported once against the nearest such earlier rule."""
    by_trigger: dict[Trigger, list[ast.Rule]] = {}
    for rule in rules:
        by_trigger.setdefault(rule.trigger.trigger, []).append(rule)
    found: list[Overlap] = []
    for trigger, group in by_trigger.items():
        if len(group) < 2 or len(group) > MAX_COMPARED:
            continue
        recipients = [_recipients(rule) for rule in group]
        for index in range(1, len(group)):
            for earlier in range(index - 1, -1, -1):
                shared = recipients[index] & recipients[earlier]
                if shared and _both_can_hold(group[earlier], group[index]):
                    found.append(Overlap(group[index], group[earlier], sorted(shared)[0]))
                    break
        del trigger
    return found


def overlap_message(overlap: Overlap) -> tuple[str, str]:
    """(message, hint): the earlier rule's line goes in the hint, so the message survives
    reformatting."""
    trigger = overlap.rule.trigger.trigger
    event = "order" if trigger in ORDER_TRIGGERS else f"`{trigger.value}` event"
    earlier = overlap.earlier
    name = f'rule "{earlier.label}"' if earlier.label else "an earlier rule"
    return (f"this rule and {name} can both reward the {overlap.recipient} for the same "
            f"{event}; their rewards add up",
            f"the other rule is at line {earlier.span.line}; if only one should apply, make "
            "their conditions exclusive or merge them with `if … elif`")
