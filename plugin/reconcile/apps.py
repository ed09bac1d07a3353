"""Django app config of reconciliation (order watermarks and the record of each run)."""

from __future__ import annotations

from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    name = "plugin.reconcile"
    label = "reconcile"
    default_auto_field = "django.db.models.BigAutoField"
