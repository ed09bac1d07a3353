"""Fixtures of the reconciliation tests: the captured shop with the story program live, Alice's
code, the clock at capture time, and deliveries posted through the real webhook endpoint."""

from __future__ import annotations

import pytest
from django.utils import timezone

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.services import referral_code_create
from plugin.rewards.demo_saleor import RewardsSaleorState
from plugin.webhooks.models import WebhookDelivery
from tests.plugin.flows.flows_testing import CAPTURE_TIME, STORY_PROGRAM, post
from tests.plugin.reconcile.reconcile_testing import INSTALLED


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: CAPTURE_TIME)
    return CAPTURE_TIME


@pytest.fixture
def shop(fake_saleor) -> RewardsSaleorState:
    return RewardsSaleorState().install(fake_saleor)


@pytest.fixture
def story(captured_installation, shop, clock, settings):
    """The captured shop, installed before its orders, with the story program and ALICE-REF."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    captured_installation.installed_at = INSTALLED
    captured_installation.save()
    program = program_get_or_create(installation=captured_installation)
    program_save_draft(program=program, source=STORY_PROGRAM, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())
    referral_code_create(installation=captured_installation, customer_id="VXNlcjo0Ng==",
                         email="alice.referrer@example.com", name="Alice", code="ALICE-REF")
    return captured_installation


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post deliveries through the endpoint; inline tasks run as after a real commit."""

    def run(deliveries):
        for delivery in deliveries:
            with django_capture_on_commit_callbacks(execute=True):
                response = post(client, delivery)
            assert response.status_code == 200, (delivery.path, response.content)
        failed = WebhookDelivery.objects.exclude(status="done").values_list("event", "last_error")
        assert list(failed) == []

    return run
