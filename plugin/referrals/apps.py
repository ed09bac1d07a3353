"""Django app configuration of the referrals app."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "plugin.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"
