"""`manage.py seed_demo`: the demo installation (idempotent), and what to open."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.install.demo import demo_installation_seed


class Command(BaseCommand):
    help = "Creates the demo installation of a pretend Saleor (safe to run again)."

    def handle(self, *args, **options) -> None:
        installation, created = demo_installation_seed()
        verb = "created" if created else "already there"
        self.stdout.write(f"demo installation {verb}: {installation.saleor_api_url}")
