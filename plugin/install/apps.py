"""The install app: installations of the app on Saleor instances, the manifest and register."""

from django.apps import AppConfig
from django.conf import settings


class InstallConfig(AppConfig):
    name = "plugin.install"
    label = "install"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if settings.DEMO_SALEOR:
            # `make run`: the demo installation's Saleor calls are answered in-process.
            from plugin.install import http
            from plugin.install.demo import demo_saleor_transport

            http.set_default_transport(demo_saleor_transport())
