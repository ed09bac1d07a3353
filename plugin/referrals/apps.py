"""Django app configuration of the referrals app; registers its webhook handlers when ready."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "plugin.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plugin.referrals import webhook_handlers  # noqa: F401  (registers on import)
