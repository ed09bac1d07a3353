"""Django app config of customer segments."""

from __future__ import annotations

from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "plugin.segments"
    label = "segments"
    default_auto_field = "django.db.models.BigAutoField"
