"""`manage.py rewards_rotate_codes`: replace voucher codes that could be computed, while unused."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.commands import command_installation, command_now
from plugin.rewards.tasks import codes_rotate_run


class Command(BaseCommand):
    help = (
        "Replaces flagged voucher codes in Saleor (old code off, new random code on the same "
        "voucher), tells each customer and audits it; used codes are left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="pretend it is this ISO date-time")
        parser.add_argument("--installation", type=int, help="only this installation id")

    def handle(self, *args, **options) -> None:
        counts = codes_rotate_run(
            now=command_now(options.get("now")),
            installation=command_installation(options.get("installation")),
        )
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
