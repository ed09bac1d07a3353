"""Django app config of the playbook; plugs the unsubscribe list and the playbook's copy into
every e-mail."""

from __future__ import annotations

from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "plugin.playbook"
    label = "playbook"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.messages.services import message_guard_register, message_renderer_register
        from plugin.playbook.copy import message_copy_render
        from plugin.playbook.unsubscribe import unsubscribe_guard

        message_guard_register(unsubscribe_guard)
        message_renderer_register(message_copy_render)
