"""Options the app's management commands share: `--now` (a pretend clock) and `--installation`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plugin.install.models import Installation

if TYPE_CHECKING:
    from plugin.install.models import Installation


def command_now(value: str | None) -> datetime:
    """The `--now` option as an aware date-time; the real clock when it is not given."""
    if not value:
        return timezone.now()
    now = parse_datetime(value)
    if now is None or now.tzinfo is None:
        # A naive time would be read in the server's zone: refuse rather than guess.
        raise CommandError(
            "--now needs an ISO date-time with a UTC offset, e.g. 2026-12-31T00:00:00+00:00"
        )
    return now


def command_installation(pk: int | None) -> Installation | None:
    """The `--installation` option's installation; None (all of them) when it is not given."""
    if pk is None:
        return None

    installation = Installation.objects.filter(pk=pk).first()
    if installation is None:
        raise CommandError(f"no installation {pk}")
    return installation
