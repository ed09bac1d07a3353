"""Invites at the right moment, driven by the captured Saleor deliveries through the real
webhook view and handlers: at once after the first paid order, again a configured delay after
delivery, one follow-up, and never to an address that unsubscribed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils.dateparse import parse_datetime

from plugin.playbook.invites import planned_messages_send
from plugin.playbook.models import PlannedMessage, PlaybookSettings
from plugin.playbook.unsubscribe import unsubscribe_token_read, unsubscribe_url
from plugin.saleor.captures import captured_deliveries
from plugin.webhooks.models import WebhookDelivery
from plugin.webhooks.services import delivery_process
from tests.plugin.webhooks.replay import post

pytestmark = pytest.mark.django_db
BOB = "bob.friend@example.com"


@pytest.fixture
def deliver(client, time_machine):
    """Posts a captured delivery at the moment Saleor sent it, so what it plans is due as it was."""
    def post_and_process(event: str, order_email: str = BOB) -> dict:
        found = next(d for d in captured_deliveries()
                     if d.event == event and d.payload["order"]["userEmail"] == order_email)
        time_machine.move_to(datetime.fromisoformat(found.received_at), tick=False)
        return _posted(client, found)
    return post_and_process


def _posted(client, found) -> dict:
    assert post(client, found).status_code == 200
    stored = WebhookDelivery.objects.get(event=found.event)
    assert delivery_process(delivery_id=stored.pk).status == "done", stored.last_error
    return found.payload["order"]


@pytest.fixture
def shop(captured_installation, settings, fake_saleor):
    settings.APP_URL = "https://referrals.example.com"
    PlaybookSettings.objects.create(installation=captured_installation,
                                    fulfilment_invite_delay_days=4, followup_after_days=7)
    return captured_installation


def test_first_paid_order_then_delivery_then_one_followup(
        deliver, shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver("ORDER_FULLY_PAID")
    (invite,) = mail.outbox
    assert invite.to == [BOB]
    assert "https://referrals.example.com/r/" in invite.body  # the personal link
    assert "/qr.png" in invite.body and "<img" in invite.alternatives[0][0]  # and QR code
    assert "https://referrals.example.com/u/" in invite.body  # and unsubscribe
    token = invite.body.split("/u/")[1].split()[0]
    assert "bob" not in str(unsubscribe_token_read(token)).lower()  # a link naming nobody

    with django_capture_on_commit_callbacks(execute=True):
        order = deliver("ORDER_FULFILLED")
    fulfilled = parse_datetime(order["fulfillments"][0]["created"])
    planned = PlannedMessage.objects.get(kind="invite_fulfilled")
    assert planned.due_at == fulfilled + timedelta(days=4)
    assert len(mail.outbox) == 1  # not before the delay

    with django_capture_on_commit_callbacks(execute=True):
        assert planned_messages_send(now=planned.due_at - timedelta(minutes=1)) == 0
        assert planned_messages_send(now=planned.due_at) == 1
    assert len(mail.outbox) == 2
    followup = PlannedMessage.objects.get(kind="followup")
    with django_capture_on_commit_callbacks(execute=True):
        assert planned_messages_send(now=followup.due_at) == 1
        assert planned_messages_send(now=followup.due_at + timedelta(days=30)) == 0
    assert [m.subject.split()[0] for m in mail.outbox][-1] == "Your"  # the follow-up copy
    assert PlannedMessage.objects.filter(kind="followup").count() == 1  # one reminder only


def test_a_second_paid_order_brings_no_invite(deliver, shop, django_capture_on_commit_callbacks):
    from contests_testing import at

    from plugin.referrals.services import customer_order_record

    customer_order_record(installation=shop, status="paid", at=at(1), order_payload={
        "id": "T3JkZXI6ZWFybGllcg==", "userEmail": BOB, "isPaid": True,
        "total": {"gross": {"amount": 10, "currency": "USD"}}})
    with django_capture_on_commit_callbacks(execute=True):
        deliver("ORDER_FULLY_PAID")
    assert mail.outbox == [] and not PlannedMessage.objects.exists()


def test_unsubscribe_link_is_honoured_everywhere(client, deliver, shop,
                                                 django_capture_on_commit_callbacks):
    url = unsubscribe_url(installation=shop, email=BOB)
    path = url.removeprefix("https://referrals.example.com")
    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe?" in page.content  # GET only asks
    assert client.post(path).status_code == 200
    assert client.get(path[:-3] + "xyz").status_code == 404  # a forged token

    with django_capture_on_commit_callbacks(execute=True):
        deliver("ORDER_FULLY_PAID")
    assert mail.outbox == []
    from plugin.messages.services import message_send

    with django_capture_on_commit_callbacks(execute=True):
        assert not message_send(installation=shop, key="any", template="friend_joined", to=BOB,
                                context={"friend": "Ann"})
    assert mail.outbox == []


def test_invites_send_command_sends_what_is_due(shop, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from plugin.playbook.services import planned_message_add

    planned_message_add(installation=shop, key="invite_paid:due", kind="invite_paid",
                        email="Due@Example.com", due_at=timezone.now() - timedelta(minutes=1),
                        name="Dee")
    planned_message_add(installation=shop, key="invite_paid:later", kind="invite_paid",
                        email="later@example.com", due_at=timezone.now() + timedelta(days=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invites_send", stdout=out)
    assert "sent 1 e-mail(s)" in out.getvalue()
    (letter,) = mail.outbox
    assert letter.to == ["due@example.com"] and letter.subject.startswith("Dee, share")
