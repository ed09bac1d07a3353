"""A decision as the dashboard shows it: who gets what (held until when), each rule's explanation
with the values it saw, the nearest-miss hints; and the money of each reward for backtests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rules.evaluate.decision import Decision, Reward
from rules.facts.money import Money


@dataclass(frozen=True, slots=True)
class RewardLine:
    """What one reward costs the shop, and which rule gave it."""

    rule: str
    money: Money | None
    points: int | None


def _rule_name(reward: Reward) -> str:
    return reward.rule_label or f"line {reward.rule_line}"


def reward_lines(decision: Decision) -> list[RewardLine]:
    """Money given away (gift card, store credit, checkout discount, fixed voucher) per reward;
    a percent voucher for a later order has no known cost yet and counts only as a reward."""
    lines = []
    for reward in decision.rewards:
        money = reward.amount if reward.kind in ("money", "discount") else None
        if reward.kind == "voucher" and reward.voucher_type == "fixed":
            money = reward.amount
        lines.append(RewardLine(rule=_rule_name(reward), money=money, points=reward.points))
    return lines


def held_until(reward: Reward, now: datetime) -> str | None:
    """When a held reward is paid out: a date after payment, or a wait after fulfilment."""
    if reward.hold_days is None:
        return None
    if (reward.hold_after or "payment") == "payment":
        return (now + timedelta(days=reward.hold_days)).date().isoformat()
    return f"{reward.hold_days} days after {reward.hold_after}"


def decision_view(decision: Decision, *, now: datetime) -> dict[str, Any]:
    return {
        "rewards": [
            {**reward.to_json(), "describe": reward.describe(), "rule": _rule_name(reward),
             "line": reward.rule_line, "held_until": held_until(reward, now)}
            for reward in decision.rewards
        ],
        "trace": [step.to_json() for step in decision.trace],
        "hints": list(decision.hints),
        # decided but not given: over a money bound (to review), or cut by a limit or budget
        "refused": [{"describe": r.reward.describe(), "reason": r.reason,
                     "line": r.reward.rule_line} for r in decision.refused],
        "cut": [{"describe": c.reward.describe(), "reason": c.reason,
                 "line": c.reward.rule_line} for c in decision.cut],
    }
