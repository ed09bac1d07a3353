"""`manage.py demo_referral`: a referral flowing through the app without a Saleor.

The captured deliveries of Bob's first order (signed again with the demo installation's key)
go through the app's own webhook endpoint; a local fake answers the app's calls to Saleor.
Then time skips past the return window, the reward is released, and the ledger is printed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.test import Client, override_settings

from plugin.install.demo import demo_installation_seed, demo_signer
from plugin.install.http import use_saleor_transport
from plugin.install.manifest import declared_events, webhook_families
from plugin.programs.actors import SystemActor
from plugin.programs.selectors import program_published
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.services import referral_code_create
from plugin.rewards.models import Reward
from plugin.rewards.selectors import ledger_rows, reward_latest_entry
from plugin.rewards.tasks import rewards_tick_run
from plugin.saleor.captures import captured_deliveries, captures_dir
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.fake_rewards import RewardsSaleorState
from rules.facts.money import Money

DEMO_PROGRAM = """\
program "Demo referrals" currency USD

on checkout when referred and customer.orders == 0:
    give referee 10% off order max 30 USD

on order paid when referred:
    give referrer 10 USD as gift card hold 14 days after fulfillment

on order created when referred:
    give referrer 50 points
"""
# Bob's story in the captures: sign-up with Alice's code, checkout, payment, fulfilment.
LAST_DELIVERY = ("ORDER_FULFILLED", 1)


class Command(BaseCommand):
    help = "Runs a referral through signed demo webhooks and a fake Saleor, then prints the ledger."

    def handle(self, *args, **options) -> None:
        with override_settings(
            CELERY_BROKER_URL="",  # the fake Saleor lives in this process: work inline
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            mail.outbox = []
            self._run()

    def _run(self) -> None:
        installation, _ = demo_installation_seed()
        signer = demo_signer()
        fake = FakeSaleor(api_url=installation.saleor_api_url, jwks=signer.jwks)
        shop = RewardsSaleorState().install(fake)
        with use_saleor_transport(fake.transport):
            self._program_and_code(installation)
            sent = self._post_deliveries(installation=installation, signer=signer)
            self.stdout.write(f"posted {sent} signed deliveries to /api/webhooks/…")
            due = self._latest_due(installation)
            if due is not None:
                self.stdout.write(f"… the return window ends {due:%Y-%m-%d %H:%M}; skipping ahead")
                counts = rewards_tick_run(now=due + timedelta(seconds=1), installation=installation)
                self.stdout.write(f"released {counts['released']} reward(s) whose hold was over")
        self._print_ledger(ledger_rows(installation=installation))
        for card in shop.gift_cards.values():
            balance = card["currentBalance"]
            to = ", ".join(email for email, card_id in shop.sent_to if card_id == card["id"])
            self.stdout.write(
                f"fake Saleor: gift card …{card['last4CodeChars']} "
                f"{balance['amount']} {balance['currency']} sent to {to}"
            )
        for message in mail.outbox:
            self.stdout.write(f"e-mail to {', '.join(message.to)}: {message.subject}")

    def _program_and_code(self, installation) -> None:
        if program_published(installation=installation) is None:
            program = program_get_or_create(installation=installation)
            program_save_draft(program=program, source=DEMO_PROGRAM, actor=SystemActor())
            program_publish(program=program, actor=SystemActor())
        referral_code_create(
            installation=installation,
            customer_id="VXNlcjo0Ng==",
            email="alice.referrer@example.com",
            name="Alice",
            code="ALICE-REF",
        )

    def _post_deliveries(self, *, installation, signer) -> int:
        import json

        families = {
            event: family for family, events in webhook_families().items() for event in events
        }
        by_file = {str(d.path.relative_to(captures_dir())): d for d in captured_deliveries()}
        index = json.loads((captures_dir() / "webhooks" / "index.json").read_text())
        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip("."))
        sent = 0
        for item in index:
            delivery = by_file.get(item["file"])
            if delivery is None:
                continue
            if delivery.event in declared_events():
                response = client.post(
                    f"/api/webhooks/{families[delivery.event]}",
                    data=delivery.body,
                    content_type="application/json",
                    HTTP_SALEOR_EVENT=delivery.event.lower(),
                    HTTP_SALEOR_DOMAIN=installation.domain,
                    HTTP_SALEOR_API_URL=installation.saleor_api_url,
                    HTTP_SALEOR_SIGNATURE=signer.sign_webhook(delivery.body),
                )
                if response.status_code != 200:
                    self.stderr.write(
                        f"{delivery.event}: HTTP {response.status_code} {response.content!r}"
                    )
                sent += 1
            if (delivery.event, delivery.number) == LAST_DELIVERY:
                break
        return sent

    def _latest_due(self, installation):
        dues = [
            entry.due_at
            for reward in Reward.objects.filter(installation=installation)
            if (entry := reward_latest_entry(reward=reward)) is not None and entry.due_at
        ]
        return max(dues) if dues else None

    def _print_ledger(self, rows: list[dict]) -> None:
        self.stdout.write(
            f"\n{'reward':<7} {'order':<6} {'to':<39} {'kind':<7} {'#':<2} "
            f"{'action':<12} {'state':<8} {'value':<12} cause"
        )
        for row in rows:
            value = (
                str(Money(row["amount"], row["currency"]))
                if row["amount"] is not None
                else f"{row['points']} pts"
            )
            self.stdout.write(
                f"{row['reward']:<7} {row['order']:<6} {row['to']:<39} {row['kind']:<7} "
                f"{row['seq']:<2} {row['action']:<12} {row['state']:<8} {value:<12} {row['cause']}"
            )
