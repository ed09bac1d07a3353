"""The webhooks app: the inbox of Saleor deliveries (its handlers are listed in `registry`)."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "plugin.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"
