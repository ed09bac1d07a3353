"""Django app config for referral programs, their immutable versions and the audit log."""

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "plugin.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"
