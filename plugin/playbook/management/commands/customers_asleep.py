"""`manage.py customers_asleep`: offer to sleeping customers now, and show the estimate."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plugin.commands import command_now
from plugin.install.models import Installation
from plugin.playbook.selectors import customers_asleep, lost_revenue_estimate
from plugin.playbook.win_back import win_back_run


class Command(BaseCommand):
    help = ("Find customers who missed K of their own buying periods, run the program's "
            "`customer asleep` rules for them (once per sleep) and print the lost-revenue "
            "estimate.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list and estimate")
        parser.add_argument("--now", help="ISO date-time to judge as of (default: now)")

    def handle(self, *args, **options) -> None:
        now = command_now(options.get("now"))
        for installation in Installation.objects.filter(is_active=True):
            if options["dry_run"]:
                asleep = customers_asleep(installation=installation, now=now)
                for rhythm in asleep:
                    self.stdout.write(f"  {rhythm.email}: every {rhythm.usual_interval.days} "
                                      f"days, {rhythm.periods_missed} periods missed")
            else:
                result = win_back_run(installation=installation, now=now)
                self.stdout.write(f"{installation.saleor_api_url}: {result['asleep']} asleep, "
                                  f"{result['offers']} new offer(s)")
            estimate = lost_revenue_estimate(installation=installation, now=now)
            money = ", ".join(str(m) for m in estimate.estimate) or "nothing"
            self.stdout.write(f"  lost revenue estimate: {money} ({estimate.asleep} asleep x "
                              f"{estimate.expected_return_rate:%} return); "
                              f"{estimate.woke_after_offer}/{estimate.offers} woke after an offer")
