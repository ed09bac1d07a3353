"""Dead letters in Chromium: a delivery that failed every attempt is listed with its reason; the
merchant retries it, confirmed in place, and the reward it was to give is issued once."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from plugin.install.crypto import token_encrypt
from plugin.programs.actors import SystemActor
from plugin.programs.models import AuditLog
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.saleor.captures import captured_delivery
from plugin.saleor.fake_rewards import RewardsSaleorState
from plugin.webhooks.handlers import rewards as rewards_handler
from plugin.webhooks.models import DeliveryStatus
from plugin.webhooks.services import delivery_process, delivery_store
from tests.e2e.steps import open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PROGRAM = """\
program "Thanks" currency USD

on order paid when order_total >= 20 USD:
    give customer 5 USD as gift card hold 0 days after payment
"""


def test_a_dead_delivery_is_shown_and_retried_once(open_dashboard, shop, fake_saleor, shot,
                                                   monkeypatch):
    state = RewardsSaleorState().install(fake_saleor)
    shop.auth_token_encrypted = token_encrypt(token="shop-app-token")
    shop.save()
    program = program_get_or_create(installation=shop)
    program_save_draft(program=program, source=PROGRAM, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())
    paid = captured_delivery("ORDER_FULLY_PAID")
    dead = delivery_store(installation=shop, event=paid.event, body=paid.body,
                          payload=paid.payload).delivery

    def database_away(**_kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(rewards_handler, "order_event_process", database_away)
        for _ in range(2):
            delivery_process(delivery_id=dead.pk, max_attempts=2)

    page, app = open_dashboard()
    open_section(app, "Dead letters")
    row = app.locator("#dead-deliveries tr").filter(has_text="ORDER_FULLY_PAID")
    expect(row).to_contain_text("server closed the connection unexpectedly")
    shot(page, "40-dead-letters")
    row.get_by_role("button", name="Retry…").click()
    app.get_by_role("button", name="Confirm").click()
    expect(app.locator("#dead-letter-status")).to_contain_text(
        f"ORDER_FULLY_PAID #{dead.pk} is being retried")
    expect(app.locator("#dead-letters")).to_contain_text("No dead letters")
    shot(page, "41-dead-letters-retried")

    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DONE
    (card,) = state.gift_cards.values()
    assert state.sent_to == [("bob.friend@example.com", card["id"])]
    retried = AuditLog.objects.filter(action="dead_letter_retried", object_id=str(dead.pk))
    assert retried.count() == 1
    assert page.errors == []
