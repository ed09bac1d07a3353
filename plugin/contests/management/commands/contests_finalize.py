"""`manage.py contests_finalize`: finalise every ended contest now (safe to run repeatedly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.commands import command_installation, command_now
from plugin.use_cases.contest_finalize import contests_finalize_due


class Command(BaseCommand):
    help = "Rank ended contests, put their prizes into the reward ledger and tell the winners."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", help="ISO date-time to finalise as of (default: now)")
        parser.add_argument("--installation", type=int, help="only this installation id")

    def handle(self, *args, **options) -> None:
        now = command_now(options.get("now"))
        installation = command_installation(options.get("installation"))
        result = contests_finalize_due(now=now, installation=installation)
        self.stdout.write(f"finalised {result['finalised']} contest(s), "
                          f"{result['winners']} prize winner(s)")
