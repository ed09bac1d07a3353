"""Takes an issued money reward back from its Saleor gift card by a delta, exactly once.

Tags on the card carry the progress: `<tag>-n<k>` (intent: k BALANCE_ADJUSTED events existed
before ours) and `<tag>-<milli>` (done: what was recovered, in thousandths).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from plugin.saleor.money import amount_of
from rules.facts.money import Money

BALANCE_ADJUSTED = "BALANCE_ADJUSTED"


def gift_card_clawback(
    *, client, tag: str, payload: dict, checkpoint: Callable[[str], None]
) -> dict:
    """Lower the card by up to `payload["amount"]`; what it could not cover is the caller's debt.

    The money moves with `giftCardBalanceAdjust` (a delta under Saleor's row lock), so a shopper
    spending the card meanwhile keeps what they spent. The intent tag lets a retry tell whether
    the adjust already happened: the (k+1)-th BALANCE_ADJUSTED event, if shaped like ours, is ours.
    """
    card_id = payload["gift_card_id"]
    card = (client.execute("gift_card_get", {"id": card_id}) or {}).get("giftCard")
    checkpoint("after_lookup")
    if card is None:
        return {"recovered": "0", "debt": payload["amount"], "note": "gift card no longer exists"}
    currency = card["currentBalance"]["currency"]
    wanted = Money.of(payload["amount"], currency).amount
    tags = [t.get("name", "") for t in card.get("tags") or []]
    done = _tagged(tags, rf"{re.escape(tag)}-(\d+)")
    if done is not None:  # finished earlier; only the result went unrecorded
        recovered = Money.of(Decimal(done) / 1000, currency).amount
        return {"recovered": str(recovered), "debt": str(wanted - recovered)}
    intent = _tagged(tags, rf"{re.escape(tag)}-n(\d+)")
    ours = None
    if intent is None:
        intent = str(len(_adjustments(card)))
        card = _tags_change(client, card_id, add=f"{tag}-n{intent}")
        checkpoint("after_intent")
    else:
        ours = _our_adjustment(card, before=int(intent), wanted=wanted, currency=currency)
    if ours is None:
        balance = Money.of(amount_of(card["currentBalance"]), currency).amount
        if balance > 0 and wanted > 0:
            adjusted = client.execute_mutation(
                "gift_card_balance_adjust",
                {"id": card_id, "amount": str(-wanted)},
                "giftCardBalanceAdjust",
            )["giftCard"]
            ours = _latest_adjustment(adjusted)
    recovered = Money.zero(currency).amount if ours is None else _moved(ours, currency)
    checkpoint("after_adjust")
    _tags_change(client, card_id, add=f"{tag}-{int(recovered * 1000)}", remove=f"{tag}-n{intent}")
    checkpoint("after_update")
    return {"recovered": str(recovered), "debt": str(wanted - recovered)}


def _tagged(tags: list[str], pattern: str) -> str | None:
    """The number a tag of this shape carries, if the card has one."""
    for name in tags:
        match = re.fullmatch(pattern, name)
        if match:
            return match.group(1)
    return None


def _adjustments(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's BALANCE_ADJUSTED events, oldest first (Saleor's order kept for equal dates)."""
    found = [e for e in card.get("events") or [] if e.get("type") == BALANCE_ADJUSTED]
    return sorted(found, key=lambda e: datetime.fromisoformat(e["date"]))


def _latest_adjustment(card: dict[str, Any]) -> dict[str, Any]:
    """The adjustment just made: its old/new are Saleor's own, so clamping is counted exactly."""
    adjustments = _adjustments(card)
    if not adjustments:
        raise ValueError("giftCardBalanceAdjust answered without a BALANCE_ADJUSTED event")
    return adjustments[-1]


def _amounts(event: dict[str, Any], currency: str) -> tuple[Decimal, Decimal]:
    balance = event.get("balance") or {}
    old = (balance.get("oldCurrentBalance") or {}).get("amount", 0)
    new = (balance.get("currentBalance") or {}).get("amount", 0)
    return Money.of(str(old), currency).amount, Money.of(str(new), currency).amount


def _moved(event: dict[str, Any], currency: str) -> Decimal:
    old, new = _amounts(event, currency)
    return old - new


def _our_adjustment(
    card: dict[str, Any], *, before: int, wanted: Decimal, currency: str
) -> dict[str, Any] | None:
    """The adjustment right after the `before` that existed at intent time, if it is a take of
    `wanted` (clamped at zero) — i.e. ours, made by an attempt that died before the done tag."""
    adjustments = _adjustments(card)
    if len(adjustments) <= before:
        return None
    event = adjustments[before]
    old, new = _amounts(event, currency)
    return event if new == max(Decimal(0), old - wanted) else None


def _tags_change(client, card_id: str, *, add: str, remove: str | None = None) -> dict[str, Any]:
    card_input: dict[str, Any] = {"addTags": [add]}
    if remove:
        card_input["removeTags"] = [remove]
    return client.execute_mutation(
        "gift_card_update", {"id": card_id, "input": card_input}, "giftCardUpdate"
    )["giftCard"]
