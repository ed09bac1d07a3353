"""`manage.py segments_recompute`: recompute every customer's segment from the order history."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.commands import command_installation, command_now
from plugin.segments.selectors import segment_counts
from plugin.segments.tasks import segments_recompute_all


class Command(BaseCommand):
    help = ("Recompute recency / frequency / monetary scores, segments and advocate scores of "
            "every customer from the stored order history (what the nightly run does).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--installation", type=int, help="installation id (default: all)")
        parser.add_argument("--now", help="ISO date-time to stamp the run with (default: now)")

    def handle(self, *args, **options) -> None:
        installation = command_installation(options.get("installation"))
        now = command_now(options.get("now"))
        totals = segments_recompute_all(
            now=now, installation_id=installation.pk if installation else None)
        self.stdout.write(f"{totals['customers']} customers in "
                          f"{totals['installations']} installation(s)")
        if installation is not None:
            counts = segment_counts(installation=installation)
            self.stdout.write(", ".join(f"{name} {n}" for name, n in counts.items()))
