"""A small in-memory Saleor for what rewards create (gift cards, vouchers), behind FakeSaleor.

It answers the documents the outbox sends the way the captured Saleor did (tags filter, a
repeated voucher code gives ALREADY_EXISTS, balances never below zero; `giftCardBalanceAdjust`
as the 3.24 schema describes it), keeping state between calls, so the demo and the tests can
check what exists in "Saleor" after a run.
"""

from __future__ import annotations

import base64
import copy
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from plugin.saleor.canned import answer, voucher_listing_refusal
from plugin.saleor.captures import captured_products
from rules.facts.money import minor_units


def _gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": float(amount), "currency": currency}


def _error(mutation: str, field: str, code: str, message: str) -> dict[str, Any]:
    return {
        mutation: {
            "giftCard": None,
            "errors": [{"field": field, "code": code, "message": message}],
        }
    }


@dataclass
class RewardsSaleorState:
    """Gift cards and vouchers as Saleor would hold them; attach with `.install(fake)`."""

    channels: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {
                "id": _gid("Channel", 1),
                "slug": "default-channel",
                "name": "Default Channel",
                "currencyCode": "USD",
                "isActive": True,
            }
        ]
    )
    products: list[dict[str, Any]] = field(default_factory=captured_products)
    gift_cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    vouchers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent_to: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, gift card id)
    checkouts: dict[str, dict[str, Any]] = field(default_factory=dict)  # else the captured one
    # checkout id -> the voucher code the app put on it (None: the app took it off again)
    checkout_codes: dict[str, str | None] = field(default_factory=dict)
    _next: int = 100

    def install(self, fake) -> RewardsSaleorState:
        fake.on("gift_cards_by_tag", self.gift_cards_by_tag)
        fake.on("gift_card_get", self.gift_card_get)
        fake.on("gift_card_create", self.gift_card_create)
        fake.on("gift_card_update", self.gift_card_update)
        fake.on("gift_card_balance_adjust", self.gift_card_balance_adjust)
        fake.on("vouchers_by_code", self.vouchers_by_code)
        fake.on("products_by_slug", self.products_by_slug)
        fake.on("voucher_create", self.voucher_create)
        fake.on("voucher_channel_listing_update", self.voucher_channel_listing_update)
        fake.on("channels", lambda _variables: {"channels": self.channels})
        fake.on("voucher_delete", self.voucher_delete)
        fake.on("voucher_get", lambda v: {"voucher": self.vouchers.get(v["id"])})
        fake.on("voucher_add_codes", self.voucher_add_codes)
        fake.on("voucher_code_delete", self.voucher_code_delete)
        fake.on("checkout_add_promo_code", self.checkout_add_promo_code)
        fake.on("checkout_remove_promo_code", self.checkout_remove_promo_code)
        fake.on("checkout_get", self.checkout_get)
        return self

    def _new_pk(self) -> int:
        self._next += 1
        return self._next

    # --- gift cards -----------------------------------------------------------------------
    def gift_cards_by_tag(self, variables: dict[str, Any]) -> dict[str, Any]:
        wanted = set(variables.get("tags") or [])
        found = [c for c in self.gift_cards.values() if wanted & {t["name"] for t in c["tags"]}]
        return {"giftCards": {"edges": [{"node": card} for card in found]}}

    def gift_card_get(self, variables: dict[str, Any]) -> dict[str, Any]:
        return {"giftCard": self.gift_cards.get(variables["id"])}

    def gift_card_create(self, variables: dict[str, Any]) -> dict[str, Any]:
        data = variables["input"]
        amount = Decimal(str(data["balance"]["amount"]))
        currency = data["balance"]["currency"]
        if amount <= 0:
            return {
                "giftCardCreate": {
                    "giftCard": None,
                    "errors": [
                        {
                            "field": "balance",
                            "code": "INVALID",
                            "message": "Value must be greater than 0.",
                        }
                    ],
                }
            }
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        card = {
            "id": _gid("GiftCard", self._new_pk()),
            "code": code,
            "last4CodeChars": code[-4:],
            "isActive": bool(data.get("isActive", True)),
            "created": datetime.now(UTC).isoformat(),
            "expiryDate": data.get("expiryDate"),
            "tags": [{"name": tag} for tag in data.get("addTags") or []],
            "initialBalance": _money(amount, currency),
            "currentBalance": _money(amount, currency),
            "metadata": list(data.get("metadata") or []),
            "privateMetadata": list(data.get("privateMetadata") or []),
            "events": [],
        }
        self.gift_cards[card["id"]] = card
        if data.get("userEmail") and data.get("channel"):  # Saleor mails it, and says so
            self.sent_to.append((data["userEmail"], card["id"]))
            card["events"].append({"type": "SENT_TO_CUSTOMER", "email": data["userEmail"],
                                   "date": card["created"]})
        return {"giftCardCreate": {"giftCard": card, "errors": []}}

    def gift_card_update(self, variables: dict[str, Any]) -> dict[str, Any]:
        card = self.gift_cards.get(variables["id"])
        if card is None:
            return _error("giftCardUpdate", "id", "NOT_FOUND", "Couldn't resolve to a node")
        data = variables["input"]
        if data.get("balanceAmount") is not None:
            card["currentBalance"]["amount"] = float(Decimal(str(data["balanceAmount"])))
        removed = set(data.get("removeTags") or [])
        card["tags"] = [tag for tag in card["tags"] if tag["name"] not in removed]
        for tag in data.get("addTags") or []:
            card["tags"].append({"name": tag})
        return {"giftCardUpdate": {"giftCard": card, "errors": []}}

    def gift_card_balance_adjust(self, variables: dict[str, Any]) -> dict[str, Any]:
        """A signed delta (Saleor applies it under a row lock): a deduction below zero clamps the
        balance to zero, a top-up past the initial balance raises it, zero is refused."""
        card = self.gift_cards.get(variables["id"])
        if card is None:
            return _error("giftCardBalanceAdjust", "id", "NOT_FOUND", "Couldn't resolve to a node")
        amount = Decimal(str(variables["amount"]))
        currency = card["currentBalance"]["currency"]
        if amount == 0:
            return _error(
                "giftCardBalanceAdjust", "amount", "INVALID", "Adjustment amount cannot be zero."
            )
        places = minor_units(currency)
        if -amount.normalize().as_tuple().exponent > places:
            return _error(
                "giftCardBalanceAdjust",
                "amount",
                "INVALID",
                f"Value cannot have more than {places} decimal places.",
            )
        old = self.balance(card["id"])
        new = max(old + amount, Decimal(0))
        card["currentBalance"] = _money(new, currency)
        if new > Decimal(str(card["initialBalance"]["amount"])):
            card["initialBalance"] = _money(new, currency)
        self._event(card, "BALANCE_ADJUSTED", old=old, new=new)
        return {"giftCardBalanceAdjust": {"giftCard": card, "errors": []}}

    def _event(self, card: dict[str, Any], kind: str, *, old: Decimal, new: Decimal) -> None:
        currency = card["currentBalance"]["currency"]
        card["events"].append(
            {
                "id": _gid("GiftCardEvent", self._new_pk()),
                "type": kind,
                "date": datetime.now(UTC).isoformat(),
                "balance": {
                    "currentBalance": _money(new, currency),
                    "oldCurrentBalance": _money(old, currency),
                },
            }
        )

    def spend(self, gift_card_id: str, amount: Decimal) -> None:
        """The shopper pays with the card in an order (for clawback tests)."""
        card = self.gift_cards[gift_card_id]
        old = self.balance(gift_card_id)
        new = max(old - amount, Decimal(0))
        card["currentBalance"]["amount"] = float(new)
        self._event(card, "USED_IN_ORDER", old=old, new=new)

    def balance(self, gift_card_id: str) -> Decimal:
        return Decimal(str(self.gift_cards[gift_card_id]["currentBalance"]["amount"]))

    # --- catalogue --------------------------------------------------------------------------
    def products_by_slug(self, variables: dict[str, Any]) -> dict[str, Any]:
        known_channel = any(c["slug"] == variables.get("channel") for c in self.channels)
        found = [p for p in self.products if known_channel and p["slug"] == variables["slug"]]
        return {"products": {"edges": [{"node": product} for product in found[:1]]}}

    # --- vouchers -------------------------------------------------------------------------
    def _codes(self, voucher: dict[str, Any]) -> list[str]:
        return [edge["node"]["code"] for edge in voucher["codes"]["edges"]]

    def vouchers_by_code(self, variables: dict[str, Any]) -> dict[str, Any]:
        search = variables["code"].lower()
        found = [
            v for v in self.vouchers.values() if any(search in c.lower() for c in self._codes(v))
        ]
        return {"vouchers": {"edges": [{"node": v} for v in found]}}

    def voucher_create(self, variables: dict[str, Any]) -> dict[str, Any]:
        data = variables["input"]
        codes = data.get("addCodes") or []
        taken = {c for v in self.vouchers.values() for c in self._codes(v)}
        if taken & set(codes):
            return {
                "voucherCreate": {
                    "voucher": None,
                    "errors": [
                        {
                            "field": "codes",
                            "code": "ALREADY_EXISTS",
                            "message": "Promo code already exists.",
                            "voucherCodes": sorted(taken & set(codes)),
                        }
                    ],
                }
            }
        pk = self._new_pk()
        voucher = {
            "id": _gid("Voucher", pk),
            "name": data.get("name"),
            "code": codes[0] if codes else None,
            "type": data.get("type", "ENTIRE_ORDER"),
            "discountValueType": data.get("discountValueType", "FIXED"),
            "singleUse": bool(data.get("singleUse")),
            "usageLimit": data.get("usageLimit"),
            "applyOncePerCustomer": False,
            "applyOncePerOrder": bool(data.get("applyOncePerOrder")),
            "products": list(data.get("products") or []),
            "codes": {
                "totalCount": len(codes),
                "edges": [
                    {
                        "node": {
                            "id": _gid("VoucherCode", f"{pk}-{i}"),
                            "code": c,
                            "used": 0,
                            "isActive": True,
                        }
                    }
                    for i, c in enumerate(codes)
                ],
            },
            "channelListings": [],
        }
        self.vouchers[voucher["id"]] = voucher
        return {"voucherCreate": {"voucher": voucher, "errors": []}}

    def voucher_channel_listing_update(self, variables: dict[str, Any]) -> dict[str, Any]:
        voucher = self.vouchers[variables["id"]]
        listed = frozenset(item["channel"]["id"] for item in voucher["channelListings"])
        if refused := voucher_listing_refusal(variables, listed):
            return refused
        for add in variables["input"].get("addChannels") or []:
            channel = next(c for c in self.channels if c["id"] == add["channelId"])
            voucher["channelListings"] = [
                item
                for item in voucher["channelListings"]
                if item["channel"]["id"] != channel["id"]
            ] + [
                {
                    "channel": {"id": channel["id"], "slug": channel["slug"]},
                    "discountValue": float(Decimal(str(add["discountValue"]))),
                    "currency": channel["currencyCode"],
                    "minSpent": None,
                }
            ]
        return {"voucherChannelListingUpdate": {"voucher": voucher, "errors": []}}

    def _code_node(self, code: str) -> dict[str, Any]:
        node = {"id": _gid("VoucherCode", self._new_pk()), "code": code, "used": 0}
        return {"node": {**node, "isActive": True}}

    def voucher_add_codes(self, variables: dict[str, Any]) -> dict[str, Any]:
        voucher = self.vouchers[variables["id"]]
        taken = {c for v in self.vouchers.values() for c in self._codes(v)}
        clash = sorted(taken & set(variables["codes"]))
        if clash:
            error = {"field": "codes", "code": "ALREADY_EXISTS", "voucherCodes": clash,
                     "message": "Promo code already exists."}
            return {"voucherUpdate": {"voucher": None, "errors": [error]}}
        voucher["codes"]["edges"] += [self._code_node(c) for c in variables["codes"]]
        voucher["codes"]["totalCount"] = len(voucher["codes"]["edges"])
        return {"voucherUpdate": {"voucher": voucher, "errors": []}}

    def voucher_code_delete(self, variables: dict[str, Any]) -> dict[str, Any]:
        gone = set(variables["ids"])
        for voucher in self.vouchers.values():
            edges = [e for e in voucher["codes"]["edges"] if e["node"]["id"] not in gone]
            voucher["codes"] = {"totalCount": len(edges), "edges": edges}
        return {"voucherCodeBulkDelete": {"count": len(gone), "errors": []}}

    def use_code(self, code: str) -> None:
        """A shopper's order spends a single-use code (Saleor then marks it inactive)."""
        for voucher in self.vouchers.values():
            for edge in voucher["codes"]["edges"]:
                if edge["node"]["code"] == code:
                    edge["node"].update(used=edge["node"]["used"] + 1, isActive=False)

    def voucher_delete(self, variables: dict[str, Any]) -> dict[str, Any]:
        self.vouchers.pop(variables["id"], None)
        return {"voucherDelete": {"voucher": {"id": variables["id"]}, "errors": []}}

    # --- checkouts (only the promo code the app puts on them) ----------------------------
    def checkout_get(self, variables: dict[str, Any]) -> dict[str, Any]:
        """The checkout as set in `checkouts` or as the captures last saw it, with the code the
        app's calls left on it."""

        checkout = copy.deepcopy(self.checkouts.get(variables["id"])) or (
            (answer("CheckoutGet", variables) or {}).get("checkout")
        )
        if checkout is not None and variables["id"] in self.checkout_codes:
            code = self.checkout_codes[variables["id"]]
            checkout["voucherCode"] = code
            voucher = {**(checkout.get("voucher") or {}), "code": code}
            checkout["voucher"] = voucher if code else None
        return {"checkout": checkout}

    def checkout_add_promo_code(self, variables: dict[str, Any]) -> dict[str, Any]:
        code = variables["promoCode"]
        if not any(code in self._codes(v) for v in self.vouchers.values()):
            return {
                "checkoutAddPromoCode": {
                    "checkout": None,
                    "errors": [
                        {
                            "field": "promoCode",
                            "code": "INVALID",
                            "message": "Promo code is invalid",
                        }
                    ],
                }
            }
        self.checkout_codes[variables["id"]] = code  # a second code replaces the first
        return {
            "checkoutAddPromoCode": {
                "checkout": {"id": variables["id"], "voucherCode": code},
                "errors": [],
            }
        }

    def checkout_remove_promo_code(self, variables: dict[str, Any]) -> dict[str, Any]:
        if self.checkout_codes.get(variables["id"]) != variables["promoCode"]:
            # Saleor 3.24's answer for a voucher code that is not on the checkout
            error = {"field": "promoCode", "code": "INVALID",
                     "message": "Cannot remove a voucher not attached to this checkout."}
            return {"checkoutRemovePromoCode": {"checkout": None, "errors": [error]}}
        self.checkout_codes[variables["id"]] = None  # taken off: reads show no code
        return {
            "checkoutRemovePromoCode": {
                "checkout": {"id": variables["id"], "voucherCode": None},
                "errors": [],
            }
        }
