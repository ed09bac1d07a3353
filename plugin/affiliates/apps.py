"""Django app config of affiliate partners; plugs commission attribution into the order webhooks
(after the rewards handlers, which record what is known about the order)."""

from __future__ import annotations

from django.apps import AppConfig


class AffiliatesConfig(AppConfig):
    name = "plugin.affiliates"
    label = "affiliates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.affiliates import webhook_handlers

        webhook_handlers.handlers_register()
