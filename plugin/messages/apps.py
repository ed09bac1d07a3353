"""Django app config of the shopper e-mails (its label avoids django.contrib.messages')."""

from __future__ import annotations

from django.apps import AppConfig


class MessagesConfig(AppConfig):
    name = "plugin.messages"
    label = "referral_messages"
    default_auto_field = "django.db.models.BigAutoField"
