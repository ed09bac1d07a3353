"""Overlapping rules: two rules on the same trigger whose conditions can both hold and that both
reward the same recipient. Rewards of such rules add up, which is often not what was meant.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from rules.checker.analysis import Range, Ranges, narrow
from rules.facts import ORDER_TRIGGERS, Trigger, fact_named
from rules.syntax import ast, gives_in

# Past this many rules on one trigger the comparison is skipped (pairs can still add up).
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
    for group in by_trigger.values():
        if len(group) < 2 or len(group) > MAX_COMPARED:
            continue
        recipients = [_recipients(rule) for rule in group]
        index = _BandIndex(group)
        for later in range(1, len(group)):
            for earlier in index.candidates(later):
                shared = recipients[later] & recipients[earlier]
                if shared and _both_can_hold(group[earlier], group[later]):
                    found.append(Overlap(group[later], group[earlier], sorted(shared)[0]))
                    break
    return found


class _BandIndex:
    """Which earlier rules could hold together with a later one, nearest first, without trying
    every pair: rules are often bands of one amount (`order_total >= 100 USD and order_total <
    200 USD`), and two rules whose bands of a name cannot meet never both hold (`narrow` only
    ever intersects ranges). Rules whose condition never holds meet nothing. Only a pruning:
    every candidate still goes through `_both_can_hold`, in the order of the plain scan."""

    def __init__(self, group: list[ast.Rule]) -> None:
        own = [narrow({}, rule.when, True) if rule.when is not None else {} for rule in group]
        counts: dict[str, int] = {}
        for ranges in own:
            for name in ranges or ():
                counts[name] = counts.get(name, 0) + 1
        key = max(counts, key=lambda name: counts[name]) if counts else None
        self.bands: list[Range | None] = [  # None: this rule never fires
            None if ranges is None else ranges.get(key, _ANY) if key else _ANY
            for ranges in own]
        self.wide: list[int] = []  # open-ended bands: always looked at
        finite: list[tuple[Decimal, int]] = []
        self.widest = Decimal(0)  # the widest closed band: how far back a band can reach
        for position, band in enumerate(self.bands):
            if band is None:
                continue
            if band.lo is None or band.hi is None:
                self.wide.append(position)
            else:
                finite.append((band.lo, position))
                self.widest = max(self.widest, band.hi - band.lo)
        finite.sort()
        self.finite_lows = [low for low, _ in finite]
        self.finite = [position for _, position in finite]

    def _meets(self, first: int, second: int) -> bool:
        a, b = self.bands[first], self.bands[second]
        if a is None or b is None:
            return False
        met = a if b.lo is None else a.above(b.lo, b.lo_open)
        met = met if b.hi is None else met.below(b.hi, b.hi_open)
        return not met.empty()

    def candidates(self, later: int) -> Iterator[int]:
        """Earlier rules whose band meets the later one's, nearest (highest index) first."""
        band = self.bands[later]
        if band is None:
            return iter(())
        near: list[int] = []  # finite bands that can reach this one: few when bands are disjoint
        stop = bisect.bisect_right(self.finite_lows, band.hi) if band.hi is not None else len(
            self.finite)
        reach = band.lo - self.widest if band.lo is not None else None
        for slot in range(stop - 1, -1, -1):
            if reach is not None and self.finite_lows[slot] < reach:
                break  # even the widest band starting here ends before this one starts
            position = self.finite[slot]
            if position < later and self._meets(position, later):
                near.append(position)
        near.sort(reverse=True)
        wide = (p for p in reversed(self.wide) if p < later and self._meets(p, later))
        return heapq.merge(near, wide, reverse=True)


_ANY = Range()


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
