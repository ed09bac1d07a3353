"""The migration to canonical Saleor API URLs: spellings of one Saleor become one installation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("install", "0001_initial")]
AFTER = [("install", "0002_canonical_saleor_api_url")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _every_app_migrated_after():
    """Going back to install 0001 also unapplies every later migration that needs install 0002
    (any app's table with an installation key): leave the whole schema as the next test expects."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_duplicates_keep_the_active_newest_and_the_rest_is_deactivated(caplog):
    old = _migrate(BEFORE)
    installation = old.get_model("install", "Installation")

    def make(url, *, day, active=True):
        return installation.objects.create(
            saleor_api_url=url, is_active=active, installed_at=datetime(2026, 11, day, tzinfo=UTC)
        ).pk

    first = make("http://127.0.0.1:8000/graphql/", day=1)
    newest = make("HTTP://127.0.0.1:8000/graphql/", day=3)
    gone = make("Http://127.0.0.1:08000/graphql/", day=5, active=False)  # uninstalled later
    other = make("https://Shop.Example:443/graphql", day=2)
    odd = make("not a saleor url", day=2)

    new = _migrate(AFTER).get_model("install", "Installation")
    rows = {row.pk: (row.saleor_api_url, row.is_active) for row in new.objects.all()}
    assert rows == {
        first: (f"http://127.0.0.1:8000/graphql/#duplicate-{first}", False),
        newest: ("http://127.0.0.1:8000/graphql/", True),
        gone: (f"http://127.0.0.1:8000/graphql/#duplicate-{gone}", False),
        other: ("https://shop.example/graphql/", True),
        odd: ("not a saleor url", True),
    }
    said = caplog.text
    assert f"installation {first} " in said and f"installation {gone} " in said
    assert "deactivated" in said
