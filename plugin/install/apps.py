"""The install app: installations of the app on Saleor instances, the manifest and register."""

from django.apps import AppConfig
from django.conf import settings


class InstallConfig(AppConfig):
    name = "plugin.install"
    label = "install"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from plugin.install.cache_tables import cache_tables_create

        post_migrate.connect(cache_tables_create, sender=self,
                             dispatch_uid="referrals.cache_tables")
        if settings.DEMO_SALEOR:
            # `make run`: the demo installation's Saleor calls are answered in-process.
            from plugin.install import http
            from plugin.install.demo import demo_saleor_transport

            http.set_default_transport(demo_saleor_transport())
