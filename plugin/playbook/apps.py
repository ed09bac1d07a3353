"""Django app config of the playbook; plugs invites and wake-ups into the order webhooks and the
unsubscribe list into every e-mail."""

from __future__ import annotations

from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "plugin.playbook"
    label = "playbook"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.messages.services import message_guard_register
        from plugin.playbook import webhook_handlers
        from plugin.playbook.unsubscribe import unsubscribe_guard

        message_guard_register(unsubscribe_guard)
        webhook_handlers.handlers_register()
