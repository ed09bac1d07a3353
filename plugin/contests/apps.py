"""Django app config of contests."""

from __future__ import annotations

from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "plugin.contests"
    label = "contests"
    default_auto_field = "django.db.models.BigAutoField"
