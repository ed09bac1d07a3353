"""Many shoppers' orders from one captured order: Bob's real deliveries (created, fully paid,
fulfilled) told again for other orders, each with its own order id, number, token, customer and
`issuedAt`, every other byte as Saleor sent it; signed as that Saleor would sign them."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from plugin.saleor.captures import captured_delivery
from plugin.saleor.testing import TestSigner
from tests.plugin.webhooks.replay import family_of

LIFECYCLE = (("ORDER_CREATED", 1), ("ORDER_FULLY_PAID", 1), ("ORDER_FULFILLED", 1))
PAID = "ORDER_FULLY_PAID"


@dataclass(frozen=True)
class SignedDelivery:
    event: str
    path: str  # the app's webhook route
    body: bytes
    headers: dict[str, str]
    order: int  # which shopper's order (0, 1, …)


def _b64(text: str) -> bytes:
    return base64.b64encode(text.encode()).decode().encode()


def _retold(body: bytes, *, order: int, issued_at: datetime, original: dict) -> bytes:
    token = str(uuid.UUID(int=0xFA17 << 96 | order))
    replacements = {
        original["id"].encode(): _b64(f"Order:{token}"),
        original["token"].encode(): token.encode(),
        f'"number": "{original["number"]}"'.encode(): f'"number": "{10000 + order}"'.encode(),
        original["userEmail"].encode(): f"shopper{order}@example.com".encode(),
        original["user"]["id"].encode(): _b64(f"User:{100000 + order}"),
    }
    for old, new in replacements.items():
        body = body.replace(old, new)
    stamp = issued_at.isoformat(timespec="microseconds").encode()
    start = body.index(b'"issuedAt": "') + len(b'"issuedAt": "')
    return body[:start] + stamp + body[body.index(b'"', start):]


def order_deliveries(*, orders: range, signer: TestSigner, saleor_api_url: str,
                     events: tuple[tuple[str, int], ...] = LIFECYCLE,
                     now: datetime | None = None) -> Iterator[SignedDelivery]:
    """Each order's deliveries in the order Saleor sends them, issued around `now`."""
    now = now or datetime.now(UTC)
    captured = [captured_delivery(event, number) for event, number in events]
    for order in orders:
        for step, delivery in enumerate(captured):
            at = now + timedelta(microseconds=order * len(captured) + step)
            body = _retold(delivery.body, order=order, issued_at=at,
                           original=delivery.payload["order"])
            yield SignedDelivery(
                event=delivery.event, path=f"/api/webhooks/{family_of(delivery.event)}",
                body=body, order=order,
                headers={
                    "Content-Type": "application/json",
                    "Saleor-Event": delivery.event.lower(),
                    "Saleor-Domain": urlsplit(saleor_api_url).netloc,
                    "Saleor-Api-Url": saleor_api_url,
                    "Saleor-Signature": signer.sign_webhook(body),
                },
            )
