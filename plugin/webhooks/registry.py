"""Which code runs for an accepted delivery: event name → handler callables taking the delivery.

Other apps plug their use cases in from a `webhook_handlers.py` module of their own (imported at
start-up) with `@register_handler("ORDER_PAID")`. Only events the manifest declares can be handled,
and every declared event has an entry here, even if it is only recorded. Handlers must be
idempotent: a retried delivery runs them again.

A handler that changes things in Saleor registers with `own_transactions=True`: it runs outside
the delivery's transaction, so each of its steps (the code it is about to send, the id Saleor
gave back) commits on its own and survives a later failure for the retry to resume from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from plugin.install.manifest import declared_events

if TYPE_CHECKING:
    from plugin.webhooks.models import WebhookDelivery

logger = logging.getLogger(__name__)
Handler = Callable[["WebhookDelivery"], None]

# Declared event → registered handlers; an empty list means "recorded in the inbox, nothing else".
_registry: dict[str, list[Handler]] = {event: [] for event in declared_events()}
_own_transactions: set[Handler] = set()


def register_handler(event: str, handler: Handler | None = None, *, own_transactions: bool = False):
    """Adds a handler for `event` (usable plainly or as a decorator); refuses undeclared events.

    `own_transactions`: the handler commits its own steps (it talks to Saleor); see above."""
    if event not in _registry:
        raise ValueError(f"{event} is not a webhook declared in manifest.json")

    def add(function: Handler) -> Handler:
        if function not in _registry[event]:
            _registry[event].append(function)
        if own_transactions:
            _own_transactions.add(function)
        return function

    return add(handler) if handler is not None else add


def unregister_handler(event: str, handler: Handler) -> None:
    if handler in _registry.get(event, []):
        _registry[event].remove(handler)


def handlers_for(event: str) -> list[Handler]:
    """The handlers of a declared event, in registration order (KeyError if undeclared)."""
    return list(_registry[event])


def commits_its_own_steps(handler: Handler) -> bool:
    return handler in _own_transactions


def handled_events() -> frozenset[str]:
    return frozenset(_registry)


def app_deleted(delivery: WebhookDelivery) -> None:
    """The app was removed from that Saleor: deactivate the installation and forget its token.

    Saleor sends APP_DELETED only to the deleted app's own webhooks; the app id is still compared
    when both sides know it, so a mix-up can never switch off another installation.
    """
    from plugin.install.services import installation_deactivate

    installation = delivery.installation
    event = (delivery.payload or {}).get("app") or {}
    deleted_app_id = event.get("id") if isinstance(event, dict) else None
    if installation.app_id and deleted_app_id and deleted_app_id != installation.app_id:
        logger.warning(
            "APP_DELETED for app %s ignored: installation %s is app %s",
            deleted_app_id, installation.pk, installation.app_id,
        )
        return
    installation_deactivate(installation=installation)


register_handler("APP_DELETED", app_deleted)
