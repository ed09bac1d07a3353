"""Creates the tables of database-backed caches (the shared rate-limit counters) after every
`migrate`, so deploying stays one command; `createcachetable` skips tables that exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command


def cache_tables_create(*, using: str = "default", **_kwargs: Any) -> None:
    if any(cache["BACKEND"].endswith("DatabaseCache") for cache in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)
