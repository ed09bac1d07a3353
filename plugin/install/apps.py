from django.apps import AppConfig


class InstallConfig(AppConfig):
    name = "plugin.install"
    label = "install"
    default_auto_field = "django.db.models.BigAutoField"
