"""The install app: installations of the app on Saleor instances, the manifest and register."""

from django.apps import AppConfig


class InstallConfig(AppConfig):
    name = "plugin.install"
    label = "install"
    default_auto_field = "django.db.models.BigAutoField"
