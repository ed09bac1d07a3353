"""Django app config for the merchant's dashboard page shown inside Saleor's dashboard."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "plugin.dashboard"
    label = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"
