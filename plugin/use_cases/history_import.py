"""Importing the shop's customer and order history from Saleor, page by page.

Each page and the cursor after it are stored in one transaction, so an interrupted import
(a crash, Saleor down, Ctrl-C) resumes after the last stored page and never counts a page twice.
Orders land in the customer order history (rhythms, segments, backtests); customers bring their
own referral codes and sign-up referrals with them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from plugin.playbook.models import HistoryImport
from plugin.referrals.services import customer_order_record
from plugin.saleor.mappers.subjects import order_is_paid
from plugin.saleor.money import amount_of
from plugin.use_cases.attribution import customer_referral_sync

log = logging.getLogger("plugin.playbook")
KINDS = ("customers", "orders")
_DOCUMENT = {"customers": ("customers_page", "customers"), "orders": ("orders_recent", "orders")}


def order_status(order: dict) -> str:
    """The history status of an order as the API shows it now."""
    if order.get("status") == "CANCELED":
        return "cancelled"
    total = amount_of(order.get("total"))
    refunded = amount_of(order.get("totalRefunded"))
    paid = order_is_paid(order)
    if total > 0 and refunded >= total:  # Saleor shows a fully refunded order as unpaid
        return "refunded"
    if not paid:
        return "created"
    return "fulfilled" if order.get("status") == "FULFILLED" else "paid"


def _import_order(installation: Any, order: dict) -> None:
    # the API has no payment time: the order's creation stands in for it
    created = parse_datetime(str(order.get("created") or ""))
    customer_order_record(installation=installation, order_payload=order,
                          status=order_status(order), at=created)


def _import_customer(installation: Any, user: dict) -> None:
    customer_referral_sync(installation=installation, payload=user)


def history_import_state(*, installation: Any, kind: str) -> HistoryImport:
    if kind not in KINDS:
        raise ValueError(f"unknown history kind {kind!r}; one of {', '.join(KINDS)}")
    state, _ = HistoryImport.objects.get_or_create(installation=installation, kind=kind)
    return state


def history_import_restart(*, installation: Any, kind: str) -> HistoryImport:
    """Forget the cursor: the next run starts from the first page (records are upserted)."""
    state = history_import_state(installation=installation, kind=kind)
    state.cursor, state.pages, state.imported, state.done, state.last_error = "", 0, 0, False, ""
    state.total = None
    state.save()
    return state


def history_import_run(
    *,
    installation: Any,
    client: Any,
    kind: str,
    page_size: int = 100,
    max_pages: int | None = None,
    on_page: Callable[[HistoryImport], None] | None = None,
    now: datetime | None = None,
) -> HistoryImport:
    """Import pages of `kind` from where the last run stopped until the end (or `max_pages`).

    Saleor errors propagate after being noted on the state; what was stored stays stored.
    """
    state = history_import_state(installation=installation, kind=kind)
    document, field = _DOCUMENT[kind]
    importer = _import_order if kind == "orders" else _import_customer
    fetched = 0
    while not state.done and (max_pages is None or fetched < max_pages):
        try:
            data = client.execute(document, {"first": max(1, min(page_size, 100)),
                                             "after": state.cursor or None})
        except Exception as error:
            HistoryImport.objects.filter(pk=state.pk).update(last_error=str(error)[:2000])
            raise
        page = (data or {}).get(field) or {}
        nodes = [edge["node"] for edge in page.get("edges") or [] if edge.get("node")]
        info = page.get("pageInfo") or {}
        with transaction.atomic():
            for node in nodes:
                importer(installation, node)
            state.cursor = info.get("endCursor") or state.cursor
            state.pages += 1
            state.imported += len(nodes)
            state.total = page.get("totalCount", state.total)
            state.done = not info.get("hasNextPage")
            state.last_error = ""
            state.save()
        fetched += 1
        if on_page is not None:
            on_page(state)
    return state


def progress_bar(state: HistoryImport, width: int = 30) -> str:
    """`orders [##########----------] 120/240`: how far one import is."""
    total = state.total or 0
    share = 1.0 if state.done else (state.imported / total if total else 0.0)
    filled = round(width * min(1.0, share))
    count = f"{state.imported}/{total}" if total else str(state.imported)
    return f"{state.kind:<9} [{'#' * filled}{'-' * (width - filled)}] {count}"
