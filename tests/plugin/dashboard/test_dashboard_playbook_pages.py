"""The Messages page (copy with positions, preview as sent, reset), the sleeping-customers
panel (estimate at the merchant's rate, wake-ups, who sleeps) and the contests table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.contests.models import Contest, ContestEntry, ContestWinner
from plugin.messages.services import message_render
from plugin.playbook.models import MessageCopy, PlaybookSettings, WinBackOffer
from plugin.programs.models import AuditLog
from plugin.referrals.models import ReferralCode
from plugin.referrals.services import customer_order_record

pytestmark = pytest.mark.django_db


def test_messages_list_the_five_editable_emails_with_shipped_wording(dash):
    messages = dash.get("messages").json()["messages"]
    assert [m["template"] for m in messages] == [
        "referral_invite", "referral_followup", "social_share", "win_back", "reorder_reminder"]
    invite = messages[0]
    assert invite["customized"] is False and "$link" in invite["body"]
    assert "unsubscribe_url" in invite["placeholders"]


def test_starter_wording_is_accepted_by_the_copy_service(dash):
    for message in dash.get("messages").json()["messages"]:
        response = dash.post(f"messages/{message['template']}/preview",
                             {"subject": message["subject"], "body": message["body"]})
        assert response.status_code == 200, (message["template"], response.json())


def test_preview_renders_as_sent_and_saves_nothing(dash, shop):
    body = "Hi $name, your link: $link\n\nStop: $unsubscribe_url"
    response = dash.post("messages/referral_invite/preview",
                         {"subject": "For $name at $shop_name", "body": body})
    preview = response.json()["preview"]
    assert preview["subject"].startswith("For Alex at ")
    assert "Hi Alex, your link: http" in preview["text"] and "/r/ALEX-7K2Q" in preview["text"]
    assert not MessageCopy.objects.exists()
    shipped = dash.post("messages/referral_invite/preview", {"shipped": True}).json()["preview"]
    assert "Thank you for your order!" in shipped["text"] and shipped["has_html"] is True


def test_copy_errors_come_back_with_their_position(dash, shop):
    response = dash.post("messages/win_back/preview", {
        "subject": "Back?", "body": "Hello,\nhere is $offr for you\n$unsubscribe_url"})
    assert response.status_code == 422
    error = response.json()
    assert error["position"] == {"part": "body", "line": 2, "col": 9}
    assert "unknown placeholder `$offr`" in error["error"]
    missing = dash.put("messages/win_back", {"subject": "Back?", "body": "No way out"})
    assert missing.status_code == 422
    assert missing.json()["position"] == {"part": "body", "line": None, "col": None}
    assert dash.post("messages/nonsense/preview", {"subject": "a", "body": "b"}
                     ).status_code == 404


def test_save_is_used_for_sending_then_reset_restores_shipped_wording(dash, shop):
    saved = dash.put("messages/win_back", {
        "subject": "Come back to $shop_name", "body": "Take $offer.\nLeave: $unsubscribe_url"})
    assert saved.status_code == 200 and saved.json()["message"]["customized"] is True
    subject, text, _ = message_render(installation=shop, template="win_back", context={
        "offer": "10% off", "unsubscribe_url": "https://u"})
    assert subject.startswith("Come back to ") and text.startswith("Take 10% off.")
    assert AuditLog.objects.filter(action="message_saved", object_id="win_back").exists()
    reset = dash.post("messages/win_back/reset")
    assert reset.json()["message"]["customized"] is False
    assert "It has been a while" in reset.json()["preview"]["text"]
    assert not MessageCopy.objects.filter(installation=shop).exists()


def _buys(shop, email: str, *, last: timezone.datetime, every: timedelta, times: int,
          total: str) -> None:
    for n in range(times):
        when = last - every * (times - 1 - n)
        customer_order_record(installation=shop, status="paid", at=when, order_payload={
            "id": f"T3JkZXI6{email}-{n}", "userEmail": email, "isPaid": True,
            "created": when.isoformat(), "channel": {"slug": "default-channel",
                                                     "currencyCode": "USD"},
            "total": {"gross": {"amount": total, "currency": "USD"}}})


@pytest.fixture
def sleepers(shop):
    now = timezone.now()
    # weekly buyer, last order 30 days ago: 4 periods missed, 23 days overdue
    _buys(shop, "weekly@x.com", last=now - timedelta(days=30), every=timedelta(days=7),
          times=4, total="20.00")
    _buys(shop, "monthly@x.com", last=now - timedelta(days=70), every=timedelta(days=30),
          times=3, total="100.00")
    _buys(shop, "awake@x.com", last=now - timedelta(days=2), every=timedelta(days=7),
          times=3, total="999.00")
    for email, status in [("a@x.com", "woke"), ("b@x.com", "woke"), ("c@x.com", "open")]:
        WinBackOffer.objects.create(
            installation=shop, email=email, sleep_since=now, periods_missed=2,
            usual_interval_days=Decimal(7), status=status, created=now,
            expires_at=now + timedelta(days=10))
    return now


def test_sleeping_panel_estimate_wakeups_and_list(dash, sleepers):
    body = dash.get("sleeping").json()
    assert body["asleep"] == 2 and body["return_rate"] == "30"
    assert body["estimate"] == [{"amount": "36.00", "currency": "USD"}]  # (20 + 100) x 30 %
    assert (body["offers"], body["woke_after_offer"], body["open_offers"]) == (3, 2, 1)
    rows = {row["email"]: row for row in body["customers"]}
    assert set(rows) == {"weekly@x.com", "monthly@x.com"}
    assert rows["weekly@x.com"]["usual_days"] == 7.0
    assert rows["weekly@x.com"]["days_overdue"] == 23
    assert rows["weekly@x.com"]["average_order"] == {"amount": "20.00", "currency": "USD"}
    what_if = dash.get("sleeping", rate="12.5").json()
    assert what_if["return_rate"] == "12.5"
    assert what_if["estimate"] == [{"amount": "15.00", "currency": "USD"}]


def test_return_rate_is_validated_and_saved_with_audit(dash, shop, sleepers):
    assert dash.get("sleeping", rate="150").status_code == 400
    assert dash.get("sleeping", rate="abc").status_code == 400
    assert dash.put("sleeping/rate", {"rate": "-1"}).status_code == 400
    assert dash.put("sleeping/rate", {"rate": "45"}).json() == {"return_rate": "45"}
    assert PlaybookSettings.objects.get(installation=shop).expected_return_rate == Decimal(
        "0.45")
    assert dash.get("sleeping").json()["estimate"][0]["amount"] == "54.00"
    entry = AuditLog.objects.get(action="return_rate_changed")
    assert entry.details == {"from": "30", "to": "45"}


def test_sleeping_panel_is_empty_without_history(dash):
    body = dash.get("sleeping").json()
    assert (body["asleep"], body["estimate"], body["customers"]) == (0, [], [])


def test_contests_show_masked_or_public_names_qualification_and_winners(dash, shop):
    contest = Contest.objects.create(
        installation=shop, name="Spring", starts=date(2026, 3, 1), ends=date(2026, 3, 31),
        score="referrals", score_text="referrals", minimum=Decimal(3),
        prizes=[{"first": 1, "last": 2, "description": "50 USD gift card"}],
        status=Contest.Status.FINALISED, finalised_at=timezone.now(), entrant_count=3)
    ReferralCode.objects.create(installation=shop, code="ANN-1", owner_email="ann@x.com",
                                leaderboard_name="Ann the Great")
    now = timezone.now()
    for email, score in [("ann@x.com", 5), ("bob@y.org", 4), ("cy@z.net", 1)]:
        ContestEntry.objects.create(contest=contest, referrer_email=email,
                                    score=Decimal(score), reached_at=now)
    for rank, email, score in [(1, "ann@x.com", 5), (2, "bob@y.org", 4)]:
        ContestWinner.objects.create(contest=contest, rank=rank, referrer_email=email,
                                     score=Decimal(score), prize="50 USD gift card",
                                     note="no gift card channel")
    Contest.objects.create(installation=shop, name="Gone", starts=date(2026, 1, 1),
                           ends=date(2026, 1, 31), score="referrals",
                           status=Contest.Status.WITHDRAWN)
    [shown] = dash.get("contests").json()["contests"]
    assert [s["score"] for s in shown["standings"]] == ["5", "4", "1"]
    assert shown["status"] == "finalised" and shown["minimum"] == "3"
    assert [(s["rank"], s["name"], s["qualifies"], s["prize"]) for s in shown["standings"]] == [
        (1, "Ann the Great", True, "50 USD gift card"), (2, "b***@y.org", True,
                                                         "50 USD gift card"),
        (3, "c***@z.net", False, "—")]
    assert [(w["rank"], w["name"], w["reward"], w["note"]) for w in shown["winners"]] == [
        (1, "Ann the Great", None, "no gift card channel"),
        (2, "b***@y.org", None, "no gift card channel")]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("put", "messages/win_back", {"subject": "a", "body": "$unsubscribe_url"}),
    ("post", "messages/win_back/reset", {}),
    ("put", "sleeping/rate", {"rate": "40"}),
    ("post", "codes/1/rotate", {}),
    ("post", "codes/1/deactivate", {}),
])
def test_writes_need_manage_discounts(make_dash, signer, shop, method, path, body):
    weak = signer.mint_dashboard_token(
        saleor_api_url="https://shop-a.example.com/graphql/", app_id="QXBwOjc=",
        permissions=("MANAGE_ORDERS",), user_permissions=("MANAGE_ORDERS",))
    response = getattr(make_dash(weak), method)(path, body)
    assert response.status_code == 403
    assert not MessageCopy.objects.exists() and not PlaybookSettings.objects.exists()
    assert not AuditLog.objects.exists()


def test_subject_errors_name_the_subject(dash):
    response = dash.post("messages/social_share/preview",
                         {"subject": "Gift from $friend", "body": "$link"})
    assert response.json()["position"] == {"part": "subject", "line": 1, "col": 11}
