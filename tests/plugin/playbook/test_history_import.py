"""History import against the fake Saleor serving the captured shop: page by page, interrupted
by Saleor failing mid-way, resumed from the stored cursor without a page twice; and the command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plugin.playbook.models import HistoryImport
from plugin.referrals.models import CustomerOrder
from plugin.saleor.canned import answer
from plugin.saleor.errors import SaleorUnavailable
from plugin.use_cases.history_import import history_import_run

pytestmark = pytest.mark.django_db


def captured_orders() -> list[dict]:
    return answer("OrdersRecent", {"first": 100})["orders"]["edges"]


def test_import_resumes_after_an_interruption(captured_installation, fake_saleor):
    orders = captured_orders()
    assert len(orders) >= 3  # the captures hold enough orders for three pages of one
    client = fake_saleor.client(retries=0)
    history_import_run(installation=captured_installation, client=client, kind="orders",
                       page_size=1, max_pages=2)
    fake_saleor.fail_next(1, operation="orders_recent")
    with pytest.raises(SaleorUnavailable):
        history_import_run(installation=captured_installation, client=client, kind="orders",
                           page_size=1)
    state = HistoryImport.objects.get(kind="orders")
    assert (state.pages, state.imported, state.done) == (2, 2, False)
    assert "unavailable" in state.last_error
    assert CustomerOrder.objects.count() == 2

    state = history_import_run(installation=captured_installation, client=client,
                               kind="orders", page_size=1)
    assert state.done and state.imported == len(orders) and state.last_error == ""
    assert set(CustomerOrder.objects.values_list("order_id", flat=True)) == {
        o["node"]["id"] for o in orders}
    afters = [c.variables.get("after") for c in fake_saleor.calls("orders_recent")]
    # every page was asked for once, except the one that failed and was asked for again
    assert len(afters) == len(orders) + 1 and len(set(afters)) == len(orders)

    # done: a further run asks Saleor nothing
    calls = len(fake_saleor.calls())
    history_import_run(installation=captured_installation, client=client, kind="orders")
    assert len(fake_saleor.calls()) == calls


def test_imported_orders_keep_their_state(captured_installation, fake_saleor):
    history_import_run(installation=captured_installation, client=fake_saleor.client(),
                       kind="orders")
    # the captured shop: one order fully refunded, one cancelled, one paid
    rows = CustomerOrder.objects.order_by("status").values_list("status", "paid_at")
    assert [(status, paid is not None) for status, paid in rows] == [
        ("cancelled", False), ("paid", True), ("refunded", False)]


def test_command_shows_progress_and_resumes(captured_installation, fake_saleor):
    fake_saleor.fail_next(1, operation="customers_page")
    with pytest.raises(CommandError, match="run the command again"):
        call_command("history_import", "--kind", "customers", stdout=io.StringIO())
    out = io.StringIO()
    call_command("history_import", "--page-size", "2", stdout=out)
    text = out.getvalue()
    assert "customers [##############################]" in text and "done" in text
    assert "orders    [" in text
    assert HistoryImport.objects.filter(done=True).count() == 2
