"""`manage.py reconcile_orders` and the beat entry that runs reconciliation every 15 minutes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plugin.celery import app
from plugin.reconcile.models import ReconcileRun
from plugin.reconcile.tasks import reconcile_orders_task
from plugin.rewards.models import Reward
from tests.plugin.reconcile.reconcile_testing import INSTALLED

pytestmark = pytest.mark.django_db


def test_command_replays_the_orders_the_app_never_heard_of(story, fake_saleor):
    out = StringIO()
    call_command("reconcile_orders", "--installation", str(story.pk),
                 "--since", INSTALLED.isoformat(), stdout=out)
    assert out.getvalue().strip() == (
        f"installation {story.pk}: 3 order(s) checked, 3 fixed: "
        "ORDER_CREATED #21; ORDER_FULLY_PAID #21; ORDER_FULFILLED #21; ORDER_FULLY_REFUNDED #21; "
        "ORDER_CREATED #22; ORDER_CANCELLED #22; ORDER_CREATED #23; ORDER_FULLY_PAID #23"
    )
    # no webhook arrived at all: the story program's rewards come from reconciliation alone
    assert Reward.objects.filter(installation=story, order_number="23").count() == 3
    since = fake_saleor.calls("orders_reconcile")[0].variables["updatedSince"]
    assert since == INSTALLED.isoformat()


def test_command_refuses_a_since_without_an_offset(story):
    with pytest.raises(CommandError, match="not an ISO-8601 moment with an offset"):
        call_command("reconcile_orders", "--since", "2026-11-22 18:00")
    with pytest.raises(CommandError, match="no active installation 999"):
        call_command("reconcile_orders", "--installation", "999")


def test_command_fails_loudly_when_saleor_is_down(story, fake_saleor):
    fake_saleor.fail_next(10, operation="orders_reconcile")
    err = StringIO()
    with pytest.raises(CommandError, match="1 installation"):
        call_command("reconcile_orders", stderr=err)
    assert "Saleor did not answer" in err.getvalue()
    assert ReconcileRun.objects.get().status == "failed"


def test_beat_runs_the_reconcile_task_every_15_minutes(story, fake_saleor):
    entry = app.conf.beat_schedule["reconcile-orders"]
    assert (entry["task"], entry["schedule"]) == (reconcile_orders_task.name, 900.0)
    assert reconcile_orders_task.run() == 3  # every active installation, here the one shop
