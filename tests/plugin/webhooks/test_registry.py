"""The one handler table: every subscription in the manifest has its entry, in a fixed order."""

from __future__ import annotations

import re

from plugin.install.manifest import manifest_template
from plugin.webhooks.handlers.affiliates import order_event_affiliates
from plugin.webhooks.handlers.contests import leaderboard_update
from plugin.webhooks.handlers.playbook import order_event_playbook
from plugin.webhooks.handlers.rewards import order_event_handle
from plugin.webhooks.handlers.segments import order_event_segments
from plugin.webhooks.registry import HANDLERS, handlers_for


def _typename(event: str) -> str:
    # ORDER_FULLY_PAID → OrderFullyPaid: the subscription's `... on` type for that event
    return "".join(part.capitalize() for part in event.split("_"))


def test_the_registry_covers_every_event_the_manifest_subscribes_to_and_no_other():
    subscribed = set()
    for webhook in manifest_template()["webhooks"]:
        for event in webhook["asyncEvents"]:
            assert re.search(rf"\.\.\. on {_typename(event)}\b", webhook["query"]), event
            subscribed.add(event)
    assert set(HANDLERS) == subscribed


def test_order_events_record_the_ledger_and_history_before_anything_reads_them():
    assert handlers_for("ORDER_PAID") == [
        order_event_handle, order_event_affiliates, leaderboard_update, order_event_playbook,
        order_event_segments]
    for event in ("ORDER_CREATED", "ORDER_CANCELLED", "ORDER_REFUNDED", "ORDER_FULLY_REFUNDED"):
        assert handlers_for(event) == [
            order_event_handle, order_event_affiliates, leaderboard_update, order_event_segments]
    assert handlers_for("ORDER_UPDATED") == []  # recorded in the inbox, nothing else
