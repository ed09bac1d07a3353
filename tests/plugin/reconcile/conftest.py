"""Fixtures of the reconciliation tests: the captured shop with the story program live, Alice's
code, the clock at capture time, and deliveries posted through the real webhook endpoint."""

from __future__ import annotations

import pytest

from plugin.saleor.fake_rewards import RewardsSaleorState
from tests.plugin.flows.flows_testing import (
    Clock,
    alice_code_create,
    clock_install,
    story_program_publish,
)
from tests.plugin.reconcile.reconcile_testing import INSTALLED


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return clock_install(monkeypatch)


@pytest.fixture
def shop(fake_saleor) -> RewardsSaleorState:
    return RewardsSaleorState().install(fake_saleor)


@pytest.fixture
def story(captured_installation, shop, clock, settings):
    """The captured shop, installed before its orders, with the story program and ALICE-REF."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    captured_installation.installed_at = INSTALLED
    captured_installation.save()
    story_program_publish(installation=captured_installation)
    alice_code_create(installation=captured_installation)
    return captured_installation
