"""What evaluation returns: the rewards decided, why (trace), and how to earn more (hints)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rules.money import Money


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage at run time: `20%` is Percent(Decimal(20))."""

    value: Decimal

    def __str__(self) -> str:
        return f"{self.value}%"


@dataclass(frozen=True, slots=True)
class Reward:
    """One reward for one person.

    kind "money": `amount` paid as `delivery` (gift_card by default, or store_credit); `percent`
    set when it was a share of an amount. kind "discount": off the current checkout, `amount`
    is the computed discount. kind "voucher": for a next order (`voucher_type` percent, fixed,
    free_shipping, free_product with `product`). kind "points": `points`."""

    recipient: str
    kind: str
    rule_line: int
    rule_label: str
    reason: str
    amount: Money | None = None
    percent: Decimal | None = None
    points: int | None = None
    voucher_type: str | None = None
    max_amount: Money | None = None
    delivery: str | None = None
    hold_days: int | None = None
    hold_after: str | None = None
    expires_days: int | None = None
    product: str | None = None

    def describe(self) -> str:
        if self.kind == "points":
            what = f"{self.points} points"
        elif self.kind == "money":
            what = str(self.amount)
            if self.delivery:
                what += " as " + self.delivery.replace("_", " ")
        elif self.voucher_type == "free_shipping":
            what = "free shipping" + (" on next order" if self.kind == "voucher" else "")
        elif self.voucher_type == "free_product":
            what = f"free product {self.product}"
        else:
            base = f"{self.percent}%" if self.voucher_type == "percent" else str(self.amount)
            where = "next order" if self.kind == "voucher" else "order"
            what = f"{base} off {where}"
            if self.kind == "discount" and self.voucher_type == "percent":
                what += f" ({self.amount})"
            if self.max_amount is not None:
                what += f" max {self.max_amount}"
        if self.hold_days is not None:
            what += f", held {self.hold_days} days after {self.hold_after or 'payment'}"
        if self.expires_days is not None:
            what += f", expires in {self.expires_days} days"
        return f"{self.recipient} gets {what}"

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "kind": self.kind,
            "amount": _money_json(self.amount),
            "percent": str(self.percent) if self.percent is not None else None,
            "points": self.points,
            "voucher_type": self.voucher_type,
            "max_amount": _money_json(self.max_amount),
            "delivery": self.delivery,
            "hold_days": self.hold_days,
            "hold_after": self.hold_after,
            "expires_days": self.expires_days,
            "product": self.product,
            "rule_line": self.rule_line,
            "rule_label": self.rule_label,
            "reason": self.reason,
        }


def _money_json(money: Money | None) -> dict[str, str] | None:
    if money is None:
        return None
    return {"amount": str(money.amount), "currency": money.currency}


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One thing evaluation looked at. kind: rule | condition | let | reward | skip | cap | note;
    `held` is the condition's outcome (None for non-conditions); `value` shows the values seen."""

    line: int
    column: int
    kind: str
    text: str
    held: bool | None = None
    value: str | None = None

    def render(self) -> str:
        mark = {True: "yes", False: "no", None: "  "}[self.held]
        value = f"  [{self.value}]" if self.value else ""
        return f"{self.line:>4}:{self.column:<3} {self.kind:<9} {mark:<3} {self.text}{value}"

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "kind": self.kind, "text": self.text,
                "held": self.held, "value": self.value}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A reward the program decided but that breaks a bound money must keep (more than its base,
    the program's ceiling, or its rule's worst case): not given; the app sends it to review."""

    reward: Reward
    reason: str

    def describe(self) -> str:
        return f"{self.reward.describe()}: refused, {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {"reward": self.reward.to_json(), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Decision:
    rewards: tuple[Reward, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    hints: tuple[str, ...] = ()
    program_hash: str = ""
    refused: tuple[Refusal, ...] = ()  # decided, but over a bound: for review, not given
    variant: str = ""  # the A/B test variant the customer is in ("" when no test runs)

    def for_recipient(self, recipient: str) -> tuple[Reward, ...]:
        return tuple(r for r in self.rewards if r.recipient == recipient)

    def to_json(self) -> dict[str, Any]:
        return {
            "program_hash": self.program_hash,
            "rewards": [r.to_json() for r in self.rewards],
            "trace": [s.to_json() for s in self.trace],
            "hints": list(self.hints),
            "refused": [r.to_json() for r in self.refused],
            "variant": self.variant,
        }

    def render(self) -> str:
        """The human explanation: trace, rewards, hints."""
        lines = [step.render() for step in self.trace]
        lines.append("")
        lines.extend(r.describe() for r in self.rewards)
        if not self.rewards:
            lines.append("no rewards")
        lines.extend(r.describe() for r in self.refused)
        lines.extend(f"hint: {h}" for h in self.hints)
        return "\n".join(lines)
