"""The shop's recent orders from Saleor, as sandbox forms the merchant can run the draft on, and
page by page for backtests.

Saleor answers a page partially when it cannot resolve a field of some orders (its sample shop
has such orders): the other orders are used, the ones its errors point at are set aside with
Saleor's reason, and a page it could not give at all says "Saleor answered with an error".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from plugin.dashboard.sandbox_facts import form_from_order
from plugin.install.selectors import installation_client
from plugin.referrals.identity import email_normalise
from plugin.saleor.client import SaleorClient, error_messages
from plugin.saleor.errors import SaleorError, SaleorUnavailable
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.mappers.orders import order_facts
from plugin.saleor.money import PayloadError
from plugin.segments.selectors import customer_segments_many
from rules.facts import NO_SEGMENT
from rules.facts.money import MoneyError

logger = logging.getLogger(__name__)

RECENT_DAYS = 30
PAGE_SIZE = 50
MAX_PAGES = 4
SHOWN = 20
UNREADABLE = (KeyError, ValueError, TypeError, PayloadError, MoneyError)


class OrdersUnavailable(Exception):
    """Saleor could not be asked (down, token revoked) or gave no orders at all; the sandbox
    still works with the form."""


@dataclass(frozen=True)
class UnreadableOrder:
    """An order Saleor answered with an error for (or that the app cannot read): left out."""

    id: str | None
    number: str | None
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "reason": self.reason}


@dataclass
class OrdersPage:
    orders: list[dict[str, Any]]
    unreadable: list[UnreadableOrder] = field(default_factory=list)
    total_count: int | None = None


def _client(installation) -> SaleorClient:
    if settings.DEBUG and installation.saleor_api_url == settings.DEMO_SALEOR_API_URL:
        # The demo shop has no Saleor behind it: in development it answers with the orders
        # captured from a real Saleor, so the sandbox and backtests have real data to show.

        return FakeSaleor(api_url=installation.saleor_api_url).client(token=None)
    return installation_client(installation=installation)


def _edge_index(error: dict[str, Any]) -> int | None:
    """The order an error is about: its path runs `orders.edges.<index>…`."""
    path = error.get("path") or []
    if len(path) >= 3 and path[:2] == ["orders", "edges"] and isinstance(path[2], int):
        return path[2]
    return None


def _page_of(answer_data: dict[str, Any], errors: list[dict[str, Any]]) -> OrdersPage:
    connection = answer_data.get("orders")
    if not isinstance(connection, dict):
        # A failing field Saleor may not leave null takes the whole page with it.
        raise OrdersUnavailable(f"Saleor answered with an error: {error_messages(errors)}")
    reasons: dict[int, list[str]] = {}
    for error in errors:
        index = _edge_index(error)
        if index is None:
            logger.warning("orders page: Saleor error outside an order: %s", error.get("message"))
        else:
            reasons.setdefault(index, []).append(str(error.get("message")))
    page = OrdersPage(orders=[], total_count=connection.get("totalCount"))
    for index, edge in enumerate(connection.get("edges") or ()):
        node = (edge or {}).get("node")
        if index in reasons or not isinstance(node, dict):
            node = node if isinstance(node, dict) else {}
            reason = "; ".join(reasons.get(index) or ["Saleor sent no order"])
            number = node.get("number")
            page.unreadable.append(UnreadableOrder(
                id=node.get("id"), number=str(number) if number is not None else None,
                reason=f"Saleor answered with an error: {reason}"))
        else:
            page.orders.append(node)
    return page


def orders_pages(*, installation, since, page_size: int = PAGE_SIZE,
                 max_pages: int = MAX_PAGES) -> Iterator[OrdersPage]:
    """Pages of orders changed since `since`, oldest first, with only the fields the rules read."""
    after = None
    try:
        with _client(installation) as client:
            for _ in range(max_pages):
                answer = client.execute_partial("orders_facts", {
                    "updatedSince": since.isoformat(), "first": page_size, "after": after,
                })
                yield _page_of(answer.data, answer.errors)
                info = (answer.data["orders"] or {}).get("pageInfo") or {}
                if not info.get("hasNextPage"):
                    return
                after = info.get("endCursor")
    except SaleorUnavailable as exc:
        raise OrdersUnavailable(f"Saleor did not answer: {exc}") from exc
    except SaleorError as exc:
        raise OrdersUnavailable(f"Saleor answered with an error: {exc}") from exc


def _label(order: dict[str, Any], facts) -> str:
    number = order.get("number") or facts.id
    return f"#{number} · {facts.total.amount} {facts.currency} · {len(facts.lines)} line(s)"


def _email(order: dict[str, Any]) -> str:
    return order.get("userEmail") or ((order.get("user") or {}).get("email")) or ""


def recent_order_forms(*, installation) -> dict[str, list[dict[str, Any]]]:
    """The newest orders of the last 30 days, newest first, each with a filled sandbox form;
    and the orders left out, with why."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    orders: list[dict[str, Any]] = []
    unreadable: list[UnreadableOrder] = []
    for page in orders_pages(installation=installation, since=since):
        orders.extend(page.orders)
        unreadable.extend(page.unreadable)
    shown = []
    newest = orders[-SHOWN:]
    segments = customer_segments_many(installation=installation, emails=[
        _email(order) for order in newest])
    for order in reversed(newest):
        try:
            facts = order_facts(order)
        except UNREADABLE as exc:
            number = order.get("number")
            unreadable.append(UnreadableOrder(
                id=order.get("id"), number=str(number) if number is not None else None,
                reason=f"the app cannot read it: {exc}"))
            continue
        email = _email(order)
        segment = segments.get(email_normalise(email), NO_SEGMENT) if email else NO_SEGMENT
        shown.append({"id": facts.id, "label": _label(order, facts),
                      "facts": form_from_order(facts, email=email, segment=segment)})
    return {"orders": shown, "unreadable": [item.as_json() for item in unreadable]}
