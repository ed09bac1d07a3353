"""What evaluation returns: the rewards decided, why (trace), and how to earn more (hints)."""

from __future__ import annotations

import operator
from dataclasses import FrozenInstanceError, dataclass, fields
from decimal import Decimal
from typing import Any

from rules.facts import Money, quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage at run time: `20%` is Percent(Decimal(20))."""

    value: Decimal

    def __str__(self) -> str:
        return f"{self.value}%"


@quick_init
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


@quick_init
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


@quick_init
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


class Decision:
    """What one evaluation decided: the rewards, why (trace), how to earn more (hints), the
    program's hash, and rewards refused for review. Immutable.

    The compiled evaluator hands over its rewards as `(template, amount)` pairs in `_due`: a
    reward's object is built from its `give`'s template when `rewards` is first read, so an
    evaluation costs what deciding costs, not the making of fifteen-field records."""

    __slots__ = ("_due", "_rewards", "cut", "hints", "program_hash", "refused", "trace")
    __match_args__ = ("rewards", "trace", "hints", "program_hash", "refused", "cut")

    rewards: tuple[Reward, ...]
    trace: tuple[TraceStep, ...]
    hints: tuple[str, ...]
    program_hash: str
    refused: tuple[Refusal, ...]  # decided, but over a bound: for review, not given
    cut: tuple[Refusal, ...]  # decided, but over a limit or budget (rules/evaluate/limits.py)

    def __init__(self, rewards: tuple[Reward, ...] = (), trace: tuple[TraceStep, ...] = (),
                 hints: tuple[str, ...] = (), program_hash: str = "",
                 refused: tuple[Refusal, ...] = (), cut: tuple[Refusal, ...] = ()) -> None:
        _set_class(self, MutableDecision)
        self._rewards, self._due = rewards, None  # type: ignore[attr-defined]
        self.trace, self.hints, self.program_hash, self.refused, self.cut = (  # type: ignore[misc]
            trace, hints, program_hash, refused, cut)
        self.__class__ = Decision  # type: ignore[assignment]

    @property
    def rewards(self) -> tuple[Reward, ...]:
        rewards = self._rewards
        if rewards is None:  # two threads may both build them: equal tuples either way
            rewards = tuple([reward_with_amount(template, amount)
                             for template, amount in self._due])  # type: ignore[union-attr]
            _set_rewards(self, rewards)
        return rewards

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _fields(self) -> tuple[object, ...]:
        return (self.rewards, self.trace, self.hints, self.program_hash, self.refused, self.cut)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Decision:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (Decision, self._fields())  # pickled and copied with its rewards built

    def __repr__(self) -> str:
        return (f"Decision(rewards={self.rewards!r}, trace={self.trace!r}, hints={self.hints!r}, "
                f"program_hash={self.program_hash!r}, refused={self.refused!r}, cut={self.cut!r})")

    def for_recipient(self, recipient: str) -> tuple[Reward, ...]:
        return tuple(r for r in self.rewards if r.recipient == recipient)

    def to_json(self) -> dict[str, Any]:
        return {
            "program_hash": self.program_hash,
            "rewards": [r.to_json() for r in self.rewards],
            "trace": [s.to_json() for s in self.trace],
            "hints": list(self.hints),
            "refused": [r.to_json() for r in self.refused],
            "cut": [r.to_json() for r in self.cut],
        }

    def render(self) -> str:
        """The human explanation: trace, rewards, hints."""
        lines = [step.render() for step in self.trace]
        lines.append("")
        lines.extend(r.describe() for r in self.rewards)
        if not self.rewards:
            lines.append("no rewards")
        lines.extend(r.describe() for r in self.refused)
        lines.extend(f"{r.reward.describe()}: cut, {r.reason}" for r in self.cut)
        lines.extend(f"hint: {h}" for h in self.hints)
        return "\n".join(lines)


# Decision's mutable twin (rules/facts/frozen.py): the compiled program fills one (`_rewards` None,
# `_due` its pairs), then makes it a Decision.
MutableDecision = type("MutableDecision", (), {"__slots__": Decision.__slots__})
_set_class = vars(object)["__class__"].__set__
_set_rewards = vars(Decision)["_rewards"].__set__
_REWARD_FIELDS = tuple(field.name for field in fields(Reward))
_read_reward = operator.attrgetter(*_REWARD_FIELDS)
_AMOUNT_AT = _REWARD_FIELDS.index("amount")


def reward_with_amount(template: Reward, amount: Money | None) -> Reward:
    """`dataclasses.replace(template, amount=amount)`, without its per-call introspection; the
    template itself when it already has that amount (a fixed reward is one shared object)."""
    if template.amount is amount:
        return template
    values = list(_read_reward(template))
    values[_AMOUNT_AT] = amount
    return Reward(*values)

