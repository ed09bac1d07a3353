"""`manage.py contests_finalize`: finalise every ended contest now (safe to run repeatedly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class Command(BaseCommand):
    help = "Rank ended contests, put their prizes into the reward ledger and tell the winners."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="ISO date-time to finalise as of (default: now)")
        parser.add_argument("--installation", type=int, help="only this installation id")

    def handle(self, *args, **options) -> None:
        from plugin.contests.finalize import contests_finalize_due
        from plugin.install.models import Installation

        now = timezone.now()
        if options.get("now"):
            now = parse_datetime(options["now"])
            if now is None or now.tzinfo is None:
                raise CommandError("--now needs an ISO date-time with a UTC offset")
        installation = None
        if options.get("installation") is not None:
            installation = Installation.objects.filter(pk=options["installation"]).first()
            if installation is None:
                raise CommandError(f"no installation {options['installation']}")
        result = contests_finalize_due(now=now, installation=installation)
        self.stdout.write(f"finalised {result['finalised']} contest(s), "
                          f"{result['winners']} prize winner(s)")
