"""Django app config of the rewards ledger."""

from __future__ import annotations

from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "plugin.rewards"
    label = "rewards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The ledger announces work; its background tasks, at the edge, take it up.
        from plugin.rewards.signals import outbox_has_work
        from plugin.rewards.tasks import outbox_kick_on_signal

        outbox_has_work.connect(outbox_kick_on_signal, dispatch_uid="rewards.outbox_kick")
