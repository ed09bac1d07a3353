"""Shopper e-mails: overridable templates, sent once per cause, configured from the env."""

from __future__ import annotations

import pytest
from django.core import mail

from plugin.messages.config import email_settings
from plugin.messages.models import SentMessage
from plugin.messages.services import invite_send, message_render, message_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SHOP_NAME = "Monospace Shop"


def test_every_template_renders(captured_installation):
    context = {
        "name": "Alice",
        "link": "https://shop.example/r/ALICE-7K2Q",
        "code": "ALICE-7K2Q",
        "friend": "Bob",
        "order_number": "21",
        "amount": "15.00 USD",
        "points": None,
        "reward": {"order_number": "21", "details": {"last4": "A2DC", "gift_card_id": "x"}},
        "reason": "order cancelled",
    }
    for name in ("invite", "friend_joined", "reward_held", "reward_issued", "reward_voided"):
        subject, text, _html = message_render(
            installation=captured_installation, template=name, context=context
        )
        assert subject and "\n" not in subject and "Monospace Shop" in subject + text
    _s, text, _h = message_render(
        installation=captured_installation, template="invite", context=context
    )
    assert "https://shop.example/r/ALICE-7K2Q" in text and "ALICE-7K2Q" in text


def test_sent_once_per_key_even_when_replayed(
    captured_installation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_send(
            installation=captured_installation,
            to="alice@example.com",
            link="https://shop.example/r/A",
            code="A",
        )
        assert not invite_send(
            installation=captured_installation,
            to="alice@example.com",
            link="https://shop.example/r/A",
            code="A",
        )
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert mail.outbox[0].subject == "Your referral link for Monospace Shop"
    assert SentMessage.objects.count() == 1


def test_no_mail_without_an_address(captured_installation):
    assert not message_send(
        installation=captured_installation, key="k", template="invite", to="", context={}
    )


def test_unknown_template_is_refused(captured_installation):
    with pytest.raises(ValueError, match="unknown message template"):
        message_render(installation=captured_installation, template="../settings", context={})


def test_merchant_templates_win(captured_installation, settings, tmp_path):
    folder = tmp_path / "messages" / "installations" / str(captured_installation.pk)
    folder.mkdir(parents=True)
    (folder / "invite_subject.txt").write_text("Tell a friend about {{ shop_name }}!")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    subject, _text, _html = message_render(
        installation=captured_installation, template="invite", context={"link": "l", "code": "c"}
    )
    assert subject == "Tell a friend about Monospace Shop!"


def test_email_settings_from_the_environment():
    assert email_settings({})["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_settings({"EMAIL_URL": "smtp://user%40shop:p%3Ass@mail.example:2525?tls=0"})
    assert (
        smtp["EMAIL_HOST"],
        smtp["EMAIL_PORT"],
        smtp["EMAIL_HOST_USER"],
        smtp["EMAIL_HOST_PASSWORD"],
        smtp["EMAIL_USE_TLS"],
    ) == ("mail.example", 2525, "user@shop", "p:ss", False)
    assert email_settings({"EMAIL_URL": "smtps://mail.example"})["EMAIL_USE_SSL"] is True
    host = email_settings({"EMAIL_HOST": "mx.example", "EMAIL_PORT": "25"})
    assert (host["EMAIL_HOST"], host["EMAIL_PORT"]) == ("mx.example", 25)
    with pytest.raises(ValueError, match="unsupported scheme"):
        email_settings({"EMAIL_URL": "ftp://x"})
