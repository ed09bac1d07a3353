"""Django app configuration of the referrals app."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "plugin.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The services announce changed codes; the tasks, at the edge, mirror them into Saleor.
        from plugin.referrals.signals import code_changed, code_value_changed
        from plugin.referrals.tasks import code_sync_later, codes_resync_later

        code_changed.connect(code_sync_later, dispatch_uid="referrals.code_sync")
        code_value_changed.connect(codes_resync_later, dispatch_uid="referrals.codes_resync")
