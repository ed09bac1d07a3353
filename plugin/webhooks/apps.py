"""The webhooks app: at start-up, loads every installed app's `webhook_handlers` module."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class WebhooksConfig(AppConfig):
    name = "plugin.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app's `webhook_handlers.py` registers its use cases with `register_handler`.
        autodiscover_modules("webhook_handlers")
