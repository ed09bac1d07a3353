"""Fixtures of the full-story tests: the captured Saleor installed, a program live, time fixed."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone
from flows_testing import CAPTURE_TIME, STORY_PROGRAM, post

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.services import referral_code_create
from plugin.rewards.demo_saleor import RewardsSaleorState
from plugin.webhooks.models import WebhookDelivery

ALICE = ("VXNlcjo0Ng==", "alice.referrer@example.com")


class Clock:
    """The app's `timezone.now()`, moved by the test (holds are weeks long)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(CAPTURE_TIME)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def shop(fake_saleor) -> RewardsSaleorState:
    return RewardsSaleorState().install(fake_saleor)


@pytest.fixture
def story(captured_installation, shop, clock, settings):
    """The captured shop with the story program published and Alice's code ALICE-REF."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    program = program_get_or_create(installation=captured_installation)
    program_save_draft(program=program, source=STORY_PROGRAM, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())
    return captured_installation


@pytest.fixture
def alice_code(story):
    return referral_code_create(
        installation=story, customer_id=ALICE[0], email=ALICE[1], name="Alice", code="ALICE-REF"
    )


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post deliveries through the real endpoint; inline tasks run as after a real commit."""

    def run(deliveries):
        for delivery in deliveries:
            with django_capture_on_commit_callbacks(execute=True):
                response = post(client, delivery)
            assert response.status_code == 200, (delivery.path, response.content)
        failed = WebhookDelivery.objects.exclude(status="done").values_list("event", "last_error")
        assert list(failed) == []

    return run
