"""`manage.py history_import`: import customers and orders from Saleor, resumable, with progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plugin.install.models import Installation
from plugin.rewards.tasks import saleor_client_for
from plugin.use_cases.history_import import (
    KINDS,
    history_import_restart,
    history_import_run,
    progress_bar,
)


class Command(BaseCommand):
    help = ("Import the shop's customer and order history from Saleor page by page. "
            "Run it again after an interruption: it resumes after the last stored page.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--installation", type=int, help="installation id (default: all)")
        parser.add_argument("--kind", choices=["customers", "orders", "all"], default="all")
        parser.add_argument("--page-size", type=int, default=100)
        parser.add_argument("--restart", action="store_true",
                            help="start again from the first page")

    def handle(self, *args, **options) -> None:
        installations = Installation.objects.filter(is_active=True)
        if options.get("installation") is not None:
            installations = installations.filter(pk=options["installation"])
            if not installations.exists():
                raise CommandError(f"no active installation {options['installation']}")
        kinds = KINDS if options["kind"] == "all" else (options["kind"],)
        for installation in installations:
            self.stdout.write(f"{installation.saleor_api_url}")
            client = saleor_client_for(installation)
            for kind in kinds:
                if options["restart"]:
                    history_import_restart(installation=installation, kind=kind)

                def show(state) -> None:
                    self.stdout.write("\r" + progress_bar(state), ending="")
                    self.stdout.flush()

                try:
                    state = history_import_run(installation=installation, client=client,
                                               kind=kind, page_size=options["page_size"],
                                               on_page=show)
                except Exception as error:
                    self.stdout.write("")
                    raise CommandError(f"{kind}: stopped ({error}); run the command again to "
                                       "resume after the last stored page") from error
                self.stdout.write("\r" + progress_bar(state) + (" done" if state.done else ""))
