"""`manage.py rewards_release`: issue every reward whose hold is over, then work the outbox."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.commands import command_installation, command_now
from plugin.rewards.outbox import outbox_requeue_dead
from plugin.rewards.tasks import rewards_tick_run


class Command(BaseCommand):
    help = "Releases due rewards (gift cards, vouchers, points) and retries pending Saleor calls."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now", help="pretend it is this ISO date-time (to release early in a demo)"
        )
        parser.add_argument("--installation", type=int, help="only this installation id")
        parser.add_argument(
            "--retry-dead", action="store_true", help="give Saleor calls that gave up another go"
        )

    def handle(self, *args, **options) -> None:
        now = command_now(options.get("now"))
        installation = command_installation(options.get("installation"))
        if options["retry_dead"]:
            self.stdout.write(f"requeued {outbox_requeue_dead(installation=installation)}")
        counts = rewards_tick_run(now=now, installation=installation)
        self.stdout.write(
            f"released {counts['released']}, issued {counts['issued']}, failed {counts['failed']}"
        )
