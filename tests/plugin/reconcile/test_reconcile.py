"""Reconciliation against the fake of the captured Saleor: after the webhooks it changes nothing;
when Saleor gave up on deliveries it rebuilds exactly the ledger the webhooks would have made."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.db import transaction

from plugin.reconcile import services
from plugin.reconcile.models import ReconcileRun, ReconcileState
from plugin.reconcile.selectors import reconcile_watermark
from plugin.reconcile.services import OVERLAP, orders_reconcile
from plugin.rewards.models import Reward, RewardEntry
from plugin.rewards.selectors import reward_latest_entry
from plugin.saleor import canned
from plugin.saleor.captures import captured_delivery
from tests.plugin.flows.flows_testing import deliveries_in_arrival_order, history, ledger
from tests.plugin.reconcile.reconcile_testing import INSTALLED

pytestmark = pytest.mark.django_db
PAID_EVENTS = {"ORDER_PAID", "ORDER_FULLY_PAID"}
ORDER_21 = captured_delivery("ORDER_CREATED", 1).payload["order"]["id"]
ORDER_22 = captured_delivery("ORDER_CREATED", 2).payload["order"]["id"]
ORDER_23 = captured_delivery("ORDER_CREATED", 3).payload["order"]["id"]
NEWEST_UPDATE = "2026-11-22T18:58:58.119955+00:00"  # order #23's updatedAt, the latest captured


class _Rollback(Exception):
    pass


def _ledger_of_every_delivery(installation, send) -> list[tuple]:
    """The ledger the webhooks alone make from all captured deliveries (then rolled back)."""
    try:
        with transaction.atomic():
            send(deliveries_in_arrival_order())
            found = ledger(installation)
            raise _Rollback
    except _Rollback:
        return found


def test_after_every_webhook_reconcile_changes_nothing(story, send, fake_saleor):
    send(deliveries_in_arrival_order())
    before, entries = ledger(story), RewardEntry.objects.count()
    requests, mutations = len(fake_saleor.requests), len(fake_saleor.mutations())
    run = orders_reconcile(installation=story)
    assert (run.status, run.orders_seen, run.fixed, run.replayed) == ("done", 3, 0, [])
    assert ledger(story) == before and RewardEntry.objects.count() == entries
    assert len(fake_saleor.mutations()) == mutations
    sent = [r.operation_name for r in fake_saleor.requests[requests:]]
    assert sent == ["OrdersReconcile"]  # one page read, nothing written to Saleor


def test_lost_payment_webhooks_are_replayed_into_the_same_ledger(
    story, send, fake_saleor, django_capture_on_commit_callbacks
):
    expected = _ledger_of_every_delivery(story, send)
    assert any(row[1] == "order paid" for row in expected)  # the paid rules did give rewards
    send([d for d in deliveries_in_arrival_order() if d.event not in PAID_EVENTS])
    assert not Reward.objects.filter(installation=story, trigger="order paid").exists()

    with django_capture_on_commit_callbacks(execute=True):  # the outbox runs after commit
        run = orders_reconcile(installation=story)
    assert run.status == "done" and sorted(run.fixed_order_ids) == sorted([ORDER_21, ORDER_23])
    assert sorted(run.replayed) == ["ORDER_FULLY_PAID #21", "ORDER_FULLY_PAID #23"]
    assert ledger(story) == expected
    for paid in Reward.objects.filter(installation=story, trigger="order paid"):
        decided = paid.entries.order_by("seq").first()
        assert (decided.cause_event, decided.cause_id) == (
            "ORDER_FULLY_PAID", f"reconcile:{run.pk}"
        )
    entries = RewardEntry.objects.count()
    again = orders_reconcile(installation=story)  # converged: the next run finds nothing
    assert (again.fixed, RewardEntry.objects.count(), ledger(story)) == (0, entries, expected)


def test_a_lost_cancellation_voids_the_order_reward(story, send):
    lost = {("ORDER_CANCELLED", 1), ("ORDER_UPDATED", 5)}  # order #22's cancel and its update
    send([d for d in deliveries_in_arrival_order() if (d.event, d.number) not in lost])
    points = Reward.objects.get(installation=story, order_number="22", trigger="order created")
    assert history(points) == [("decided", "pending")]

    run = orders_reconcile(installation=story)
    assert run.fixed_order_ids == [ORDER_22] and run.replayed == ["ORDER_CANCELLED #22"]
    assert history(points) == [("decided", "pending"), ("voided", "voided")]
    latest = reward_latest_entry(reward=points)
    assert (latest.cause_event, latest.cause_id) == ("ORDER_CANCELLED", f"reconcile:{run.pk}")


def _canned_unless_failing(fail_after_first_page: list[bool]):
    def answer(variables):
        if variables.get("after") and fail_after_first_page[0]:
            return httpx.Response(503, text="Saleor is down")
        return canned.answer("OrdersReconcile", variables)

    return answer


def test_watermark_advances_and_an_outage_mid_way_leaves_it_to_resume(
    story, fake_saleor, monkeypatch
):
    monkeypatch.setattr(services, "PAGE_SIZE", 1)  # one order a page: three pages
    failing = [True]
    fake_saleor.on("orders_reconcile", _canned_unless_failing(failing))
    earlier = INSTALLED + timedelta(minutes=30)
    ReconcileState.objects.create(installation=story, watermark=earlier)

    broken = orders_reconcile(installation=story)
    assert broken.status == "failed" and "Saleor did not answer" in broken.error
    assert broken.fixed_order_ids == [ORDER_21]  # the first page was replayed before the outage
    assert reconcile_watermark(installation=story) == earlier  # left where it was
    asked = fake_saleor.calls("orders_reconcile")
    assert asked[0].variables["updatedSince"] == (earlier - OVERLAP).isoformat()

    failing[0] = False
    resumed = orders_reconcile(installation=story)
    assert resumed.since == earlier - OVERLAP  # the same window again
    assert (resumed.status, resumed.pages, resumed.orders_seen) == ("done", 3, 3)
    assert resumed.fixed_order_ids == [ORDER_22, ORDER_23]  # #21 is not replayed twice
    assert reconcile_watermark(installation=story).isoformat() == NEWEST_UPDATE

    nothing_new = orders_reconcile(installation=story)
    watermark = reconcile_watermark(installation=story)
    assert nothing_new.since == watermark - OVERLAP and nothing_new.fixed == 0
    assert ReconcileRun.objects.filter(installation=story).count() == 3


def test_first_run_looks_back_only_to_the_installation(story, fake_saleor):
    run = orders_reconcile(installation=story)
    assert run.since == INSTALLED  # the clock is at capture time, well within the look-back
    assert fake_saleor.calls("orders_reconcile")[0].variables["updatedSince"] == (
        INSTALLED.isoformat()
    )


def test_orders_placed_before_the_installation_are_history_not_lost_events(story):
    story.installed_at = INSTALLED + timedelta(hours=2)  # after every captured order
    story.save()
    run = orders_reconcile(installation=story, since=INSTALLED)
    assert (run.orders_seen, run.fixed, Reward.objects.count()) == (3, 0, 0)


LOST_SETS = {
    "fulfilment": {"ORDER_FULFILLED"},
    "refunds": {"ORDER_REFUNDED", "ORDER_FULLY_REFUNDED"},
    "creation": {"ORDER_CREATED"},
    "every order event": {"ORDER_CREATED", "ORDER_CONFIRMED", "ORDER_UPDATED", "ORDER_PAID",
                          "ORDER_FULLY_PAID", "ORDER_FULFILLED", "ORDER_CANCELLED",
                          "ORDER_REFUNDED", "ORDER_FULLY_REFUNDED", "ORDER_METADATA_UPDATED"},
}


@pytest.mark.parametrize("lost", list(LOST_SETS), ids=list(LOST_SETS))
def test_any_lost_order_events_end_in_the_webhooks_ledger(
    story, send, lost, django_capture_on_commit_callbacks
):
    expected = _ledger_of_every_delivery(story, send)
    send([d for d in deliveries_in_arrival_order() if d.event not in LOST_SETS[lost]])
    with django_capture_on_commit_callbacks(execute=True):
        run = orders_reconcile(installation=story)
    assert run.status == "done"
    replayed = {event.split(" ")[0] for event in run.replayed}
    assert replayed <= LOST_SETS[lost] | {"ORDER_FULLY_PAID"} and replayed
    assert ledger(story) == expected
