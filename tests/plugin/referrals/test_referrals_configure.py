"""Configuring a shop's referral settings from the command line."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from plugin.referrals.selectors import referral_settings_get

pytestmark = pytest.mark.django_db


def test_configure_sets_storefront_and_limits(installation, capsys):
    call_command(
        "referrals_configure",
        "--saleor-api-url",
        installation.saleor_api_url,
        "--storefront-url",
        "https://shop.example/",
        "--velocity-per-day",
        "4",
    )
    settings = referral_settings_get(installation=installation)
    assert (settings.storefront_url, settings.velocity_per_day) == ("https://shop.example/", 4)
    assert "storefront_url = https://shop.example/" in capsys.readouterr().out


def test_configure_refuses_bad_input(installation):
    with pytest.raises(CommandError, match="no active installation"):
        call_command("referrals_configure", "--saleor-api-url", "https://nope.example/graphql/")
    with pytest.raises(CommandError, match="valid URL"):
        call_command(
            "referrals_configure",
            "--saleor-api-url",
            installation.saleor_api_url,
            "--storefront-url",
            "javascript:alert(1)",
        )
    assert referral_settings_get(installation=installation).storefront_url == ""
