"""The merchant's own wording of the playbook e-mails: checked on save (placeholders, the
unsubscribe link kept), used instead of the shipped files, and plain text stays unescaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from plugin.playbook.copy import CopyError, message_copy_reset, message_copy_set
from plugin.playbook.invites import planned_messages_send
from plugin.playbook.services import planned_message_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(captured_installation, settings, fake_saleor):
    settings.APP_URL = "https://referrals.example.com"
    return captured_installation


def send_invite(shop, capture) -> mail.EmailMessage:
    planned_message_add(installation=shop, key=f"invite_paid:{len(mail.outbox)}",
                        kind="invite_paid", email="ann@example.com", name="Ann & Co",
                        due_at=timezone.now() - timedelta(seconds=1))
    with capture(execute=True):
        assert planned_messages_send(now=timezone.now()) == 1
    return mail.outbox[-1]


def test_merchant_copy_replaces_the_shipped_wording(shop, django_capture_on_commit_callbacks):
    shipped = send_invite(shop, django_capture_on_commit_callbacks)
    assert 'Copy to share: "I shop at' in shipped.body  # the shipped social copy, unescaped
    assert "Hello Ann & Co," in shipped.body and "&amp;" not in shipped.body

    message_copy_set(installation=shop, template="social_share", subject="Psst",
                     body="Try $shop_name with my link $link (it's 10$$ off)")
    message_copy_set(installation=shop, template="referral_invite",
                     subject="$name, your friends get 10% off",
                     body="Hi $name!\n$share_text\nCode: $code\nQR: $qr_url\n"
                          "Stop: $unsubscribe_url")
    mine = send_invite(shop, django_capture_on_commit_callbacks)
    assert mine.subject == "Ann & Co, your friends get 10% off"
    lines = mine.body.splitlines()
    assert lines[0] == "Hi Ann & Co!"
    assert lines[1].startswith("Try our shop with my link https://referrals.example.com/r/")
    assert lines[1].endswith("(it's 10$ off)")
    assert lines[4].startswith("Stop: https://referrals.example.com/u/")
    assert mine.alternatives == []  # the shipped HTML would contradict the merchant's text

    message_copy_reset(installation=shop, template="referral_invite")
    shipped_again = send_invite(shop, django_capture_on_commit_callbacks)
    assert shipped_again.subject.startswith("Ann & Co, share")


@pytest.mark.parametrize(("template", "subject", "body", "error"), [
    ("referral_invite", "Hi", "Hi $nmae $link $unsubscribe_url", "body:1:4: unknown placeholder"),
    ("referral_invite", "Hi", "line\n  costs 5$ $link $unsubscribe_url", "body:2:10: a lone `$`"),
    ("referral_invite", "Hi", "Share $link", "must contain $unsubscribe_url"),
    ("referral_followup", "Hi", "Bye $unsubscribe_url", "must contain $link or $share_text"),
    ("win_back", "Back $link", "Hi $unsubscribe_url", "subject:1:6: unknown placeholder `$link`"),
    ("reward_issued", "Hi", "Hi", "not an editable e-mail"),
    ("social_share", "two\nlines", "$link", "subject: one line"),
])
def test_bad_copy_is_refused_with_its_place(shop, template, subject, body, error):
    with pytest.raises(CopyError, match=error.replace("$", r"\$").replace("(", r"\(")):
        message_copy_set(installation=shop, template=template, subject=subject, body=body)
