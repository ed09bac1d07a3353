"""Django app config of the rewards ledger."""

from __future__ import annotations

from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "plugin.rewards"
    label = "rewards"
    default_auto_field = "django.db.models.BigAutoField"
