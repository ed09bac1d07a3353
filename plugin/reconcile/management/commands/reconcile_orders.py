"""`manage.py reconcile_orders [--installation N] [--since ISO]`: replay lost order events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from plugin.install.models import Installation
from plugin.reconcile.services import orders_reconcile


class Command(BaseCommand):
    help = "Re-read recent orders from Saleor and replay the webhook events the app missed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--installation", type=int, help="id of one installation")
        parser.add_argument("--since", help="ISO-8601 moment with offset (default: watermark)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            since = parse_datetime(options["since"])
            if since is None or since.tzinfo is None:
                raise CommandError(
                    f"--since {options['since']!r} is not an ISO-8601 moment with an offset, "
                    "e.g. 2026-11-22T18:00:00+00:00"
                )
        installations = Installation.objects.filter(is_active=True)
        if options["installation"] is not None:
            installations = installations.filter(pk=options["installation"])
            if not installations.exists():
                raise CommandError(f"no active installation {options['installation']}")
        failures = 0
        for installation in installations:
            run = orders_reconcile(installation=installation, since=since)
            line = (f"installation {installation.pk}: {run.orders_seen} order(s) checked, "
                    f"{run.fixed} fixed" + (f": {'; '.join(run.replayed)}" if run.fixed else ""))
            if run.error:
                failures += 1
                self.stderr.write(f"{line}; failed: {run.error}")
            else:
                self.stdout.write(line)
        if failures:
            raise CommandError(f"{failures} installation(s) could not be reconciled fully")
