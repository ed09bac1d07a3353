"""Django app config of contests; plugs the live leaderboard into the order webhooks."""

from __future__ import annotations

from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "plugin.contests"
    label = "contests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.contests import webhook_handlers

        webhook_handlers.handlers_register()
