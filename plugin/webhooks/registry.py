"""Which code runs for an accepted delivery: the one table of Saleor event → handlers, in order.

Every event the manifest declares has an entry here, even if it is only recorded (an empty
tuple), and no other event may. Handlers must be idempotent: a retried delivery runs them again.
Order matters for order events: the rewards handler records the order in the customer's history
first, and the contests, playbook and segments handlers read that history.

A handler that changes things in Saleor is listed in `OWN_TRANSACTIONS`: it runs outside the
delivery's transaction, so each of its steps (the code it is about to send, the id Saleor gave
back) commits on its own and survives a later failure for the retry to resume from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from plugin.install.manifest import declared_events
from plugin.webhooks.handlers.affiliates import order_event_affiliates
from plugin.webhooks.handlers.app import app_deleted
from plugin.webhooks.handlers.contests import leaderboard_update
from plugin.webhooks.handlers.playbook import order_event_playbook
from plugin.webhooks.handlers.referrals import handle_checkout_delivery, handle_customer_delivery
from plugin.webhooks.handlers.rewards import order_event_handle
from plugin.webhooks.handlers.segments import order_event_segments

if TYPE_CHECKING:
    from plugin.webhooks.models import WebhookDelivery

Handler = Callable[["WebhookDelivery"], None]

# Every order event: the ledger and history first (partners' commissions beside the ledger),
# then what reads them.
_ORDER_HANDLERS: tuple[Handler, ...] = (
    order_event_handle, order_event_affiliates, leaderboard_update, order_event_segments)
# Paid and delivered orders also plan the playbook's invites (after contests, before segments).
_ORDER_PLAYBOOK_HANDLERS: tuple[Handler, ...] = (
    order_event_handle, order_event_affiliates, leaderboard_update, order_event_playbook,
    order_event_segments)

HANDLERS: Mapping[str, tuple[Handler, ...]] = {
    "CHECKOUT_CREATED": (handle_checkout_delivery,),
    "CHECKOUT_UPDATED": (handle_checkout_delivery,),
    "ORDER_CREATED": _ORDER_HANDLERS,
    "ORDER_PAID": _ORDER_PLAYBOOK_HANDLERS,
    "ORDER_FULLY_PAID": _ORDER_PLAYBOOK_HANDLERS,
    "ORDER_UPDATED": (),
    "ORDER_FULFILLED": _ORDER_PLAYBOOK_HANDLERS,
    "ORDER_CANCELLED": _ORDER_HANDLERS,
    "ORDER_REFUNDED": _ORDER_HANDLERS,
    "ORDER_FULLY_REFUNDED": _ORDER_HANDLERS,
    "CUSTOMER_CREATED": (handle_customer_delivery,),
    "CUSTOMER_UPDATED": (),
    "CUSTOMER_METADATA_UPDATED": (handle_customer_delivery,),
    "CUSTOMER_DELETED": (),
    "ACCOUNT_CONFIRMED": (handle_customer_delivery,),
    "GIFT_CARD_CREATED": (),
    "GIFT_CARD_UPDATED": (),
    "APP_DELETED": (app_deleted,),
}

# Handlers that call Saleor step by step, recording each step as it goes.
OWN_TRANSACTIONS: frozenset[Handler] = frozenset({handle_checkout_delivery})


def registry_check(handlers: Mapping[str, tuple[Handler, ...]]) -> None:
    """Refuses a table naming an event the manifest does not declare, or missing one it does."""
    for event in handlers:
        if event not in declared_events():
            raise ValueError(f"{event} is not a webhook declared in manifest.json")
    missing = declared_events() - set(handlers)
    if missing:
        raise ValueError(f"declared webhooks without an entry: {', '.join(sorted(missing))}")


registry_check(HANDLERS)


def handlers_for(event: str) -> list[Handler]:
    """The handlers of a declared event, in the order they run (KeyError if undeclared)."""
    return list(HANDLERS[event])


def commits_its_own_steps(handler: Handler) -> bool:
    return handler in OWN_TRANSACTIONS


def handled_events() -> frozenset[str]:
    return frozenset(HANDLERS)
