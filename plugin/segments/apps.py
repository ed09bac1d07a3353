"""Django app config of customer segments; plugs the incremental update into the order webhooks
(after the rewards handlers, which record the order in the customer history)."""

from __future__ import annotations

from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "plugin.segments"
    label = "segments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.segments import webhook_handlers

        webhook_handlers.handlers_register()
