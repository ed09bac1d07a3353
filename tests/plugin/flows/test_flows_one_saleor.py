"""One Saleor installed under three spellings of its URL is one installation: its deliveries, sent
again under another spelling, are duplicates of the first, and the referrer is rewarded once."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings
from flows_testing import alice_code_create, deliveries_until, ledger, story_program_publish

from plugin.install.models import Installation
from plugin.webhooks.models import WebhookDelivery
from tests.plugin.install.test_register import (
    ALLOW_CAPTURED,
    REGISTER,
    post_register,
    whoami_of_this_app,
)
from tests.plugin.webhooks.replay import post

pytestmark = pytest.mark.django_db
SPELLINGS = (
    "http://127.0.0.1:8000/graphql/",
    "HTTP://127.0.0.1:8000/graphql/",
    "Http://127.0.0.1:08000/graphql/",
)


@override_settings(**ALLOW_CAPTURED)
def test_three_spellings_one_installation_rewards_once(
    client, fake_saleor, shop, clock, django_capture_on_commit_callbacks
):
    fake_saleor.on("AppWhoami", data=whoami_of_this_app())
    for url in SPELLINGS:
        response = post_register(client, headers={**REGISTER["headers"], "Saleor-Api-Url": url})
        assert response.status_code == 200, response.content
    (installation,) = Installation.objects.all()
    story_program_publish(installation=installation)
    alice_code_create(installation=installation)

    story = deliveries_until("ORDER_FULFILLED", 1)  # order #21: paid, then fulfilled
    for url in SPELLINGS:  # Saleor resends every delivery, each time under another spelling
        caches["rate_limits"].clear()
        for delivery in story:
            with django_capture_on_commit_callbacks(execute=True):
                response = post(client, delivery,
                                headers={**delivery.headers, "Saleor-Api-Url": url})
            assert response.status_code == 200, (url, delivery.path, response.content)
        if url == SPELLINGS[0]:
            first = ledger(installation)

    assert first and ledger(installation) == first  # rewarded once, not three times
    deliveries = WebhookDelivery.objects.filter(installation=installation)
    assert deliveries.count() == len({(d.event, d.body) for d in story})
    assert {d.duplicates for d in deliveries} == {len(SPELLINGS) - 1}
    assert not deliveries.exclude(status="done").exists()
