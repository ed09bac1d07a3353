"""Django app config of affiliate partners (their order handler is listed in the webhooks'
registry, after the rewards handler)."""

from __future__ import annotations

from django.apps import AppConfig


class AffiliatesConfig(AppConfig):
    name = "plugin.affiliates"
    label = "affiliates"
    default_auto_field = "django.db.models.BigAutoField"
