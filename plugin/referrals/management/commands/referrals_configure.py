"""`manage.py referrals_configure`: set a shop's storefront link target and referral limits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plugin.install.selectors import installation_get_by_api_url
from plugin.referrals.services import referral_settings_update

_OPTIONS = {
    "storefront_url": (str, "where share links send shoppers, e.g. https://shop.example/"),
    "code_param": (str, "query parameter carrying the code on the storefront (default ref)"),
    "attribution_days": (int, "how long an earlier attribution of an e-mail counts"),
    "velocity_per_day": (int, "referrals per referrer per 24 h before review"),
    "leaked_referees_per_day": (int, "strangers on one code per 24 h before review"),
    "shared_address_referees": (int, "referees of one referrer at one address before review"),
}


class Command(BaseCommand):
    help = "Configure the referral side of one installation (by its Saleor API URL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--saleor-api-url", required=True)
        for name, (kind, text) in _OPTIONS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, help=text)

    def handle(self, *args: Any, **options: Any) -> None:
        installation = installation_get_by_api_url(saleor_api_url=options["saleor_api_url"])
        if installation is None:
            raise CommandError("no active installation for that Saleor API URL")
        changes = {name: options[name] for name in _OPTIONS if options.get(name) is not None}
        try:
            settings = referral_settings_update(installation=installation, **changes)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        for name in _OPTIONS:
            self.stdout.write(f"{name} = {getattr(settings, name)}")
