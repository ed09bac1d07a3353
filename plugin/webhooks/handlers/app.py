"""APP_DELETED: the app was removed from that Saleor."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from plugin.install.services import installation_deactivate

if TYPE_CHECKING:
    from plugin.webhooks.models import WebhookDelivery

logger = logging.getLogger("plugin.webhooks.handlers")


def app_deleted(delivery: WebhookDelivery) -> None:
    """Deactivate the installation and forget its token.

    Saleor sends APP_DELETED only to the deleted app's own webhooks; the app id is still compared
    when both sides know it, so a mix-up can never switch off another installation.
    """
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
