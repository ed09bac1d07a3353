"""`manage.py demo_webhook EVENT`: sends a captured delivery, signed by the demo Saleor."""

from __future__ import annotations

import json

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plugin.install.demo import demo_installation_seed, demo_signer
from plugin.install.manifest import webhook_families
from plugin.saleor.captures import captured_deliveries


class Command(BaseCommand):
    help = "POSTs a real captured payload, freshly signed with the demo key, to a running app."

    def add_arguments(self, parser) -> None:
        parser.add_argument("event", help="e.g. ORDER_PAID")
        parser.add_argument("--number", type=int, default=1, help="which capture of that event")
        parser.add_argument("--base-url", default="http://127.0.0.1:8070")

    def handle(self, *args, event: str, number: int, base_url: str, **options) -> None:
        event = event.upper()
        family = next((f for f, events in webhook_families().items() if event in events), None)
        if family is None:
            raise CommandError(f"{event} is not a webhook declared in manifest.json")
        captures = list(captured_deliveries(event))
        if not 1 <= number <= len(captures):
            raise CommandError(f"{event} has captures 1..{len(captures)}")
        demo_installation_seed()
        body = captures[number - 1].body
        headers = {
            "Content-Type": "application/json",
            "Saleor-Event": event.lower(),
            "Saleor-Domain": settings.DEMO_SALEOR_API_URL.split("/")[2],
            "Saleor-Api-Url": settings.DEMO_SALEOR_API_URL,
            "Saleor-Signature": demo_signer().sign_webhook(body),
        }
        try:
            response = httpx.post(
                f"{base_url}/api/webhooks/{family}", content=body, headers=headers, timeout=30
            )
        except httpx.HTTPError as error:
            raise CommandError(f"the app at {base_url} cannot be reached: {error}") from error
        self.stdout.write(f"HTTP {response.status_code} {json.dumps(response.json())}")
