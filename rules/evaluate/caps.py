"""Per-order caps (`limit reward at most 10% of order_total`): one meaning for both evaluators."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rules.evaluate.decision import Percent, Reward, reward_with_amount
from rules.evaluate.values import as_money
from rules.facts import Facts, Money


def cap_limit(value: object, facts: Facts, currency: str) -> Money | None:
    """The cap as money: a percent is of the order total; None when there is no order."""
    if isinstance(value, Percent):
        if facts.order is None:
            return None
        value = facts.order.total.percent(value.value)
    return as_money(value, currency)


def rewards_capped(
    rewards: Sequence[Reward],
    *,
    limit: Money,
    recipient: str | None,
    note: Callable[[str], None] | None = None,
) -> list[Reward]:
    """Rewards in written order, each cut to what the cap leaves; money-valued rewards of the
    capped recipient (or of anyone) count, points never do. `note` hears each cut and drop."""
    remaining = limit
    kept: list[Reward] = []
    for reward in rewards:
        counts = reward.amount is not None and reward.kind != "points" and (
            recipient in (None, reward.recipient))
        if not counts:
            kept.append(reward)
            continue
        allowed = min(reward.amount, remaining) if remaining.amount > 0 else None
        if allowed is None or allowed.amount <= 0:
            if note:
                note(f"{reward.describe()}: dropped, cap reached")
            continue
        if allowed != reward.amount:
            if note:
                note(f"{reward.describe()}: cut to {allowed}")
            reward = reward_with_amount(reward, allowed)
        remaining = remaining - allowed
        kept.append(reward)
    return kept


def due_capped(due: list[tuple[Reward, Money | None]], *, limit: Money,
               recipient: str | None) -> list[tuple[Reward, Money | None]]:
    """`rewards_capped` over the compiled evaluator's (template, amount) pairs."""
    if len(due) == 1:  # the common case, without working out what remains
        template, amount = due[0]
        if amount is None or template.kind == "points" or recipient not in (
                None, template.recipient):
            return due
        if limit.amount <= 0:
            return []
        if limit < amount:  # min(amount, limit) is the limit, as `min` decides
            return [(template, limit)]
        return due if amount.amount > 0 else []
    remaining = limit
    kept: list[tuple[Reward, Money | None]] = []
    for template, amount in due:
        if amount is None or template.kind == "points" or recipient not in (
                None, template.recipient):
            kept.append((template, amount))
            continue
        allowed = min(amount, remaining) if remaining.amount > 0 else None
        if allowed is None or allowed.amount <= 0:
            continue
        remaining = remaining - allowed
        kept.append((template, allowed if allowed != amount else amount))
    return kept
