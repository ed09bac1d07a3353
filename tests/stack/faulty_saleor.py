"""The stand-in Saleor in trouble: for a while it answers 5xx, or takes longer than the app waits
(doing nothing, or doing the work and losing the answer, as a real Saleor behind a slow proxy
may). Gift cards and vouchers it makes are counted like the real one's: by tag and by code."""

from __future__ import annotations

import json
import threading
import time

import httpx
from standin_saleor import StandInSaleor

# Longer than the app waits for an answer (its read timeout is 10 s).
SLOWER_THAN_THE_APP = 11.0
TROUBLES = ("none", "5xx", "timeout", "lost answer")


class FaultySaleor(StandInSaleor):
    """`saleor.trouble = "5xx" | "timeout" | "lost answer" | "none"`, switched at any time.
    Only the GraphQL API is in trouble; the JWKS stays served."""

    def __init__(self) -> None:
        super().__init__()
        self.trouble = "none"
        self.troubled = {kind: 0 for kind in TROUBLES}  # calls answered in each way
        self.calls: list[tuple[float, str, str]] = []  # (when, operation, trouble)
        self._count = threading.Lock()
        # An answer the app gave up waiting for finds the connection closed: no traceback.
        self._server.handle_error = lambda request, address: None

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes
               ) -> httpx.Response:
        trouble = self.trouble if path.endswith("/graphql/") else "none"
        with self._count:
            self.troubled[trouble] += 1
            operation = json.loads(body or b"{}").get("operationName") or path
            self.calls.append((time.monotonic(), operation, trouble))
        if trouble == "5xx":
            return httpx.Response(503, text="Service Unavailable")
        if trouble == "timeout":
            time.sleep(SLOWER_THAN_THE_APP)
            return httpx.Response(504, text="Gateway Timeout")
        response = super().answer(method, path, headers, body)
        if trouble == "lost answer":
            time.sleep(SLOWER_THAN_THE_APP)  # done, but the app has given up waiting
        return response

    def gift_cards_by_tag(self) -> dict[str, list[dict]]:
        """Every gift card, by the tags the app put on it (besides the common one)."""
        cards: dict[str, list[dict]] = {}
        with self._lock:
            for card in self.shop.gift_cards.values():
                for tag in card["tags"]:
                    if tag["name"] != "referral-reward":
                        cards.setdefault(tag["name"], []).append(card)
        return cards

    def vouchers_by_code(self) -> dict[str, list[dict]]:
        vouchers: dict[str, list[dict]] = {}
        with self._lock:
            for voucher in self.shop.vouchers.values():
                for edge in voucher["codes"]["edges"]:
                    vouchers.setdefault(edge["node"]["code"], []).append(voucher)
        return vouchers
