"""Django app config of the rewards ledger; registers the order-event webhook handlers."""

from __future__ import annotations

from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "plugin.rewards"
    label = "rewards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.rewards import webhook_handlers

        webhook_handlers.handlers_register()
