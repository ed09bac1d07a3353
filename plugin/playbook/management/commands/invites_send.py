"""`manage.py invites_send`: send the due invites, follow-ups and reorder reminders now."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from plugin.playbook.tasks import playbook_messages_run


class Command(BaseCommand):
    help = "Plan reorder reminders, then send every due playbook e-mail (invites, follow-ups)."

    def handle(self, *args, **options) -> None:
        result = playbook_messages_run(now=timezone.now())
        self.stdout.write(f"planned {result['reorder_planned']} reorder reminder(s), "
                          f"sent {result['sent']} e-mail(s)")
