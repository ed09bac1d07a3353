"""The `usage` facts: what limits and budgets already counted (see FACTS.md), to and from JSON,
and kept in step with `referrer.rewards_this_month`, the count a program can read."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rules.facts.model import USAGE_PERIODS, USAGE_RECIPIENTS, Facts, UsageFacts
from rules.facts.money import Money
from rules.facts.values import FactsError, fact_count, fact_money


def usage_from_json(data: Any, currency: str) -> UsageFacts:
    """`{"rewards": {"referrer": {"month": 4}}, "spent": {"month": "9950.00 USD"}}`."""
    if data is None:
        return UsageFacts()
    data = _obj(data, "usage")
    unknown = sorted(set(data) - {"rewards", "spent"})
    if unknown:
        raise FactsError(f"usage: unknown key {unknown[0]!r}; usage has \"rewards\" and "
                         f"\"spent\"")
    rewards: list[tuple[str, str, int]] = []
    for recipient, periods in _obj(data.get("rewards"), "usage.rewards").items():
        where = f"usage.rewards.{recipient}"
        if recipient not in USAGE_RECIPIENTS:
            raise FactsError(f"{where}: unknown recipient; one of {', '.join(USAGE_RECIPIENTS)}")
        for period, count in _obj(periods, where).items():
            _period(period, f"{where}.{period}")
            rewards.append((recipient, period, fact_count(count, f"{where}.{period}")))  # type: ignore[arg-type]
    spent: list[tuple[str, Money]] = []
    for period, amount in _obj(data.get("spent"), "usage.spent").items():
        where = f"usage.spent.{period}"
        _period(period, where)
        spent.append((period, _money(amount, currency, where)))
    return UsageFacts(tuple(rewards), tuple(spent))


def usage_to_json(usage: UsageFacts) -> dict[str, Any]:
    rewards: dict[str, dict[str, int]] = {}
    for recipient, period, count in usage.rewards:
        rewards.setdefault(recipient, {})[period] = count
    return {"rewards": rewards,
            "spent": {period: {"amount": str(m.amount), "currency": m.currency}
                      for period, m in usage.spent}}


def usage_in_step(facts: Facts) -> Facts:
    """Facts whose `referrer.rewards_this_month` and usage of the referrer this month agree:
    either fills the other; two different counts (other than none) are an error."""
    stated = facts.referral.referrer.rewards_this_month
    usage = facts.usage
    in_usage = any(who == "referrer" and p == "month" for who, p, _ in usage.rewards)
    counted = usage.rewards_in("referrer", "month")
    if in_usage and stated and stated != counted:
        raise FactsError(f"referrer.rewards_this_month: {stated} but "
                         f"usage.rewards.referrer.month says {counted}")
    if in_usage:
        referrer = replace(facts.referral.referrer, rewards_this_month=counted)
        return replace(facts, referral=replace(facts.referral, referrer=referrer))
    if stated:
        usage = UsageFacts((*usage.rewards, ("referrer", "month", stated)), usage.spent)
        return replace(facts, usage=usage)
    return facts


def with_usage(facts: Facts, usage: UsageFacts) -> Facts:
    """`facts` with what a ledger counted: its usage, and the referrer's count this month read
    from it (the ledger is the truth; nothing else may say otherwise)."""
    referrer = replace(facts.referral.referrer,
                       rewards_this_month=usage.rewards_in("referrer", "month"))
    return replace(facts, usage=usage, referral=replace(facts.referral, referrer=referrer))


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FactsError(f"{where}: expected an object")
    return value


def _period(period: str, where: str) -> None:
    if period not in USAGE_PERIODS:
        raise FactsError(f"{where}: unknown period; one of {', '.join(USAGE_PERIODS)}")


def _money(value: Any, currency: str, where: str) -> Money:
    code = currency
    if isinstance(value, dict):
        code, value = value.get("currency", currency), value.get("amount")
    elif isinstance(value, str) and " " in value.strip():
        value, code = value.strip().rsplit(" ", 1)
    money = fact_money(value, code, where)
    if money.currency != currency:
        raise FactsError(f"{where}: {money} is not in the facts' currency {currency}")
    return money
