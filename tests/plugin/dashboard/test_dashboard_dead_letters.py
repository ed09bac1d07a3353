"""Dead letters in the dashboard: what ran out of attempts is listed with its reason, and a retry
(audited) runs it once more, so the reward it was to give exists exactly once in Saleor."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from plugin.install.crypto import token_encrypt
from plugin.install.http import use_saleor_transport
from plugin.programs.actors import SystemActor
from plugin.programs.models import AuditLog
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.rewards.models import OutboxItem, OutboxStatus
from plugin.saleor.captures import captured_delivery
from plugin.saleor.fake import FakeSaleor
from plugin.saleor.fake_rewards import RewardsSaleorState
from plugin.webhooks.handlers import rewards as rewards_handler
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
from plugin.webhooks.services import delivery_process, delivery_store
from tests.plugin.dashboard.conftest import SHOP_APP_ID, SHOP_URL, DashboardClient

PROGRAM = """\
program "Thanks" currency USD

on order paid when order_total >= 20 USD:
    give customer 5 USD as gift card hold 0 days after payment
"""
BOB = "bob.friend@example.com"


@pytest.fixture
def saleor(shop):
    shop.auth_token_encrypted = token_encrypt(token="shop-app-token")
    shop.save()
    fake = FakeSaleor(api_url=SHOP_URL)
    state = RewardsSaleorState().install(fake)
    with use_saleor_transport(fake.transport, sleep=lambda _seconds: None):
        yield fake, state


@pytest.fixture
def program(shop):
    program = program_get_or_create(installation=shop)
    program_save_draft(program=program, source=PROGRAM, actor=SystemActor())
    program_publish(program=program, actor=SystemActor())


def dashboard(client, signer, *permissions: str) -> DashboardClient:
    token = signer.mint_dashboard_token(
        saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID, email="ann@shop-a.example.com",
        user_id="VXNlcjo1", user_permissions=permissions)
    return DashboardClient(client, token, SHOP_URL)


def bob_paid_dead(shop, monkeypatch) -> WebhookDelivery:
    """Bob's captured ORDER_FULLY_PAID, stored, then failing every attempt (the database
    went away each time) until it is dead."""
    paid = captured_delivery("ORDER_FULLY_PAID")
    stored = delivery_store(installation=shop, event=paid.event, body=paid.body,
                            payload=paid.payload).delivery

    def database_away(**_kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(rewards_handler, "order_event_process", database_away)
        for _ in range(2):
            delivery_process(delivery_id=stored.pk, max_attempts=2)
    stored.refresh_from_db()
    assert stored.status == DeliveryStatus.DEAD
    return stored


def test_a_retried_dead_delivery_is_processed_once(client, signer, shop, saleor, program,
                                                   monkeypatch,
                                                   django_capture_on_commit_callbacks):
    fake, state = saleor
    dead = bob_paid_dead(shop, monkeypatch)
    reader = dashboard(client, signer, "MANAGE_USERS")
    listed = reader.get("dead-letters").json()
    assert [(d["id"], d["event"], d["attempts"]) for d in listed["deliveries"]] == [
        (dead.pk, "ORDER_FULLY_PAID", 2)]
    assert "server closed the connection unexpectedly" in listed["deliveries"][0]["error"]
    assert state.gift_cards == {}

    merchant = dashboard(client, signer, "MANAGE_DISCOUNTS")
    with django_capture_on_commit_callbacks(execute=True):
        answer = merchant.post(f"dead-letters/deliveries/{dead.pk}/retry")
    assert answer.status_code == 202, answer.content

    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DONE
    (card,) = state.gift_cards.values()
    assert card["initialBalance"] == {"amount": 5.0, "currency": "USD"}
    assert state.sent_to == [(BOB, card["id"])]
    assert reader.get("dead-letters").json()["deliveries"] == []
    audit = AuditLog.objects.get(action="dead_letter_retried")
    assert (audit.object_type, audit.object_id, audit.actor_email) == (
        "webhook_delivery", str(dead.pk), "ann@shop-a.example.com")

    # A second press, or a stale page: nothing is dead, nothing runs again.
    with django_capture_on_commit_callbacks(execute=True):
        again = merchant.post(f"dead-letters/deliveries/{dead.pk}/retry")
    assert again.status_code == 409
    assert len(state.gift_cards) == 1 and len(fake.calls("gift_card_create")) == 1


def test_a_retried_dead_gift_card_whose_answer_was_lost_is_not_made_twice(
        client, signer, shop, saleor, program, settings, django_capture_on_commit_callbacks):
    fake, state = saleor
    settings.REWARDS_OUTBOX_MAX_ATTEMPTS = 1
    # Saleor makes the card, but its answer never arrives: the item dies after its one attempt.
    fake.fail_next(1, lost_answer=True, operation="gift_card_create")
    paid = captured_delivery("ORDER_FULLY_PAID")
    stored = delivery_store(installation=shop, event=paid.event, body=paid.body,
                            payload=paid.payload).delivery
    with django_capture_on_commit_callbacks(execute=True):
        delivery_process(delivery_id=stored.pk)
    (item,) = OutboxItem.objects.filter(installation=shop)
    assert item.status == OutboxStatus.DEAD and len(state.gift_cards) == 1

    listed = dashboard(client, signer, "MANAGE_USERS").get("dead-letters").json()
    assert [(i["id"], i["action"], i["recipient"]) for i in listed["outbox"]] == [
        (item.pk, "gift_card_issue", BOB)]
    with django_capture_on_commit_callbacks(execute=True):
        answer = dashboard(client, signer, "MANAGE_DISCOUNTS").post(
            f"dead-letters/outbox/{item.pk}/retry")
    assert answer.status_code == 202, answer.content

    item.refresh_from_db()
    assert item.status == OutboxStatus.DONE
    assert len(state.gift_cards) == 1 and len(fake.calls("gift_card_create")) == 1
    assert item.result["gift_card_id"] == next(iter(state.gift_cards))


def test_another_shops_dead_letter_can_be_neither_seen_nor_retried(
        client, signer, shop, other_shop, other_signer, monkeypatch):
    theirs = bob_paid_dead(other_shop, monkeypatch)
    assert dashboard(client, signer, "MANAGE_USERS").get("dead-letters").json()["deliveries"] == []
    answer = dashboard(client, signer, "MANAGE_DISCOUNTS").post(
        f"dead-letters/deliveries/{theirs.pk}/retry")
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == DeliveryStatus.DEAD
