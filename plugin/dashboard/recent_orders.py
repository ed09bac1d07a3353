"""The shop's recent orders from Saleor, as sandbox forms the merchant can run the draft on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from plugin.dashboard.sandbox_facts import form_from_order
from plugin.install.selectors import installation_client
from plugin.saleor.client import SaleorClient
from plugin.saleor.errors import SaleorError
from plugin.saleor.mappers.orders import order_facts

RECENT_DAYS = 30
PAGE_SIZE = 50
MAX_PAGES = 4
SHOWN = 20


class OrdersUnavailable(Exception):
    """Saleor could not be asked (down, token revoked); the sandbox still works with the form."""


def _client(installation) -> SaleorClient:
    if settings.DEBUG and installation.saleor_api_url == settings.DEMO_SALEOR_API_URL:
        # The demo shop has no Saleor behind it: in development it answers with the orders
        # captured from a real Saleor, so the sandbox and backtests have real data to show.
        from plugin.saleor.fake import FakeSaleor

        return FakeSaleor(api_url=installation.saleor_api_url).client(token=None)
    return installation_client(installation=installation)


def orders_pages(*, installation, since, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES):
    """Yields (orders of one page, total count) from `orders_recent`, oldest first."""
    after = None
    try:
        with _client(installation) as client:
            for _ in range(max_pages):
                data = client.execute("orders_recent", {
                    "updatedSince": since.isoformat(), "first": page_size, "after": after,
                })
                connection = data.get("orders") or {}
                nodes = [edge["node"] for edge in connection.get("edges") or () if edge.get("node")]
                yield nodes, connection.get("totalCount")
                page = connection.get("pageInfo") or {}
                if not page.get("hasNextPage"):
                    return
                after = page.get("endCursor")
    except SaleorError as exc:
        raise OrdersUnavailable(f"Saleor did not answer: {exc}") from exc


def _label(order: dict[str, Any], facts) -> str:
    number = order.get("number") or facts.id
    return f"#{number} · {facts.total.amount} {facts.currency} · {len(facts.lines)} line(s)"


def recent_order_forms(*, installation) -> list[dict[str, Any]]:
    """The newest orders of the last 30 days, newest first, each with a filled sandbox form."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    orders: list[dict[str, Any]] = []
    for page, _total in orders_pages(installation=installation, since=since):
        orders.extend(page)
    shown = []
    for order in reversed(orders[-SHOWN:]):
        try:
            facts = order_facts(order)
        except (KeyError, ValueError, TypeError):
            continue  # an order the mapper cannot read is left out rather than shown wrong
        email = order.get("userEmail") or ((order.get("user") or {}).get("email")) or ""
        shown.append({"id": facts.id, "label": _label(order, facts),
                      "facts": form_from_order(facts, email=email)})
    return shown
