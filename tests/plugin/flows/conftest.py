"""Fixtures of the full-story tests: the captured Saleor installed, a program live, time fixed."""

from __future__ import annotations

import pytest
from flows_testing import Clock, alice_code_create, clock_install, story_program_publish

from plugin.saleor.fake_rewards import RewardsSaleorState


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return clock_install(monkeypatch)


@pytest.fixture
def shop(fake_saleor) -> RewardsSaleorState:
    return RewardsSaleorState().install(fake_saleor)


@pytest.fixture
def story(captured_installation, shop, clock, settings):
    """The captured shop with the story program published and Alice's code ALICE-REF."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return story_program_publish(installation=captured_installation)


@pytest.fixture
def alice_code(story):
    return alice_code_create(installation=story)
