"""Sends a money reward as a Saleor gift card, at most once per outbox item.

The card carries the item's random tag, so a retry finds what an interrupted attempt made. A card
found by tag is adopted only if it is provably this reward's (same amount, currency and recipient):
a card from another database, an older backup or a second app on the same Saleor never is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from plugin.referrals.identity import email_normalise
from rules.facts.money import Money

log = logging.getLogger("plugin.rewards.outbox")

REWARD_TAG = "referral-reward"
RECIPIENT_KEY = "referral_reward_recipient"  # private metadata: whom the app made the card for
SENT_TO_CUSTOMER = "SENT_TO_CUSTOMER"


class GiftCardUnverified(RuntimeError):
    """A card with this item's tag exists but nothing on it says whom it was made for.

    Adopting it could hand someone else's card to this recipient; creating another could pay
    twice. Neither is safe, so the item stops for a person to look at (`outbox` marks it dead).
    """


def gift_card_recipients(card: dict[str, Any]) -> set[str]:
    """Whom Saleor says the card is for: the app's own private note, and whom Saleor mailed it."""
    found = {
        email_normalise(item.get("value"))
        for item in card.get("privateMetadata") or []
        if item.get("key") == RECIPIENT_KEY and item.get("value")
    }
    found |= {
        email_normalise(event.get("email"))
        for event in card.get("events") or []
        if event.get("type") == SENT_TO_CUSTOMER and event.get("email")
    }
    return found


def gift_card_is_ours(card: dict[str, Any], payload: dict[str, Any]) -> bool | None:
    """True when the card is this reward's, False when it provably is not, None when unknowable."""
    initial = card.get("initialBalance") or {}
    currency = payload["currency"]
    if initial.get("currency") != currency:
        return False
    had = Money.of(str(initial.get("amount", "0")), currency).amount
    if had != Money.of(payload["amount"], currency).amount:
        return False
    recipients = gift_card_recipients(card)
    if not recipients:
        return None
    return email_normalise(payload["email"]) in recipients


def _adoptable(cards: list[dict[str, Any]], *, tag: str, payload: dict[str, Any]):
    """The found card this item made, or None when none of them is (then one is created)."""
    unverified = []
    for card in cards:
        verdict = gift_card_is_ours(card, payload)
        if verdict:
            return card
        if verdict is None:
            unverified.append(card["id"])
        else:
            log.warning(
                "gift card %s carries tag %s but is not this reward's (amount, currency or "
                "recipient differ): left alone, the reward gets its own card",
                card["id"],
                tag,
            )
    if unverified:
        raise GiftCardUnverified(
            f"gift card(s) {', '.join(unverified)} carry tag {tag} but do not say whom they were "
            "made for; check them in Saleor before retrying this item"
        )
    return None


def gift_card_issue(
    *, client, tag: str, payload: dict, checkpoint: Callable[[str], None]
) -> dict:
    """A gift card sent to the recipient's e-mail, created at most once per tag."""
    found = client.execute("gift_cards_by_tag", {"tags": [tag]})
    edges = ((found or {}).get("giftCards") or {}).get("edges") or []
    checkpoint("after_lookup")
    card = _adoptable([edge["node"] for edge in edges], tag=tag, payload=payload)
    if card is None:
        card_input: dict[str, Any] = {
            "balance": {"amount": payload["amount"], "currency": payload["currency"]},
            "userEmail": payload["email"],
            "isActive": True,
            "addTags": [REWARD_TAG, tag],
            "privateMetadata": [{"key": RECIPIENT_KEY, "value": payload["email"]}],
            "note": payload.get("note") or "Referral reward",
        }
        if payload.get("channel"):
            card_input["channel"] = payload["channel"]
        if payload.get("expiry_date"):
            card_input["expiryDate"] = payload["expiry_date"]
        created = client.execute_mutation(
            "gift_card_create", {"input": card_input}, "giftCardCreate"
        )
        card = created["giftCard"]
    checkpoint("after_create")
    return {
        "gift_card_id": card["id"],
        "last4": card.get("last4CodeChars") or (card.get("code") or "")[-4:],
        "amount": payload["amount"],
        "currency": payload["currency"],
    }
