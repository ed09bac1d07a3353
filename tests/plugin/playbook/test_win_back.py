"""Sleeping customers: rhythms learnt per customer (weekly vs quarterly buyers), the program's
`customer asleep` offer once per sleep through the ledger, wake-ups, reminders and the estimate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from contests_testing import publish
from django.core import mail

from plugin.playbook.models import PlannedMessage, WinBackOffer
from plugin.playbook.reorder import reorder_reminders_plan
from plugin.playbook.selectors import customers_asleep, lost_revenue_estimate
from plugin.playbook.win_back import win_back_run, win_back_wake
from plugin.referrals.services import customer_order_record
from plugin.rewards.models import OutboxItem, Reward
from plugin.rewards.selectors import reward_view
from rules.facts.money import Money

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 5, 10, tzinfo=UTC)
PROGRAM = '''program "Win back" currency USD

on customer asleep for {k} periods:
    give customer 20% off next order expires 14 days
'''


def buys(shop, email: str, *, every: timedelta, times: int, total: str = "40",
         start: datetime = START, currency: str = "USD") -> datetime:
    """`times` paid orders, `every` apart; returns the last order's time."""
    when = start
    for n in range(times):
        when = start + every * n
        customer_order_record(installation=shop, status="paid", at=when, order_payload={
            "id": f"T3JkZXI6{email}-{n}", "userEmail": email, "isPaid": True,
            "created": when.isoformat(), "channel": {"slug": "default-channel",
                                                     "currencyCode": currency},
            "total": {"gross": {"amount": float(total), "currency": currency}}})
    return when


@pytest.fixture
def shop(captured_installation, fake_saleor):
    buys(captured_installation, "weekly@x.com", every=timedelta(days=7), times=6, total="20")
    buys(captured_installation, "quarterly@x.com", every=timedelta(days=91), times=3,
         total="300")
    return captured_installation


def asleep_at(shop, now, k=2):
    return {r.email: r.periods_missed for r in customers_asleep(installation=shop, now=now,
                                                                 periods=k)}


def test_each_customer_sleeps_by_their_own_rhythm(shop):
    weekly_last = START + timedelta(days=35)
    quarterly_last = START + timedelta(days=182)
    # three weeks after the weekly buyer's last order: asleep; the quarterly one is not
    assert asleep_at(shop, quarterly_last + timedelta(days=21)) == {"weekly@x.com": 24}
    assert asleep_at(shop, weekly_last + timedelta(days=13)) == {}
    assert asleep_at(shop, weekly_last + timedelta(days=14)) == {"weekly@x.com": 2}
    # the quarterly buyer sleeps only after two of their quarters
    assert "quarterly@x.com" not in asleep_at(shop, quarterly_last + timedelta(days=181))
    assert asleep_at(shop, quarterly_last + timedelta(days=182))["quarterly@x.com"] == 2


def test_offer_once_per_sleep_never_while_open_and_wake_up_counted(
        shop, django_capture_on_commit_callbacks):
    publish(shop, PROGRAM.format(k=2))
    now = START + timedelta(days=35 + 15)  # weekly buyer asleep, quarterly not
    with django_capture_on_commit_callbacks(execute=True):
        assert win_back_run(installation=shop, now=now) == {"asleep": 1, "offers": 1}
    offer = WinBackOffer.objects.get()
    assert (offer.email, offer.periods_missed, offer.expires_at) == (
        "weekly@x.com", 2, now + timedelta(days=14))
    reward = Reward.objects.get(pk=offer.reward_id)
    assert (reward.kind, reward.voucher_type, reward.percent, reward.trigger) == (
        "voucher", "percent", Decimal("20.000"), "customer asleep")
    assert reward_view(reward=reward).state == "issuing"  # released to the outbox at once
    (letter,) = mail.outbox
    assert offer.code and offer.code in letter.body and "20% off next order" in letter.subject
    # the e-mailed code is the random one stored for the reward, the very one the voucher gets
    assert OutboxItem.objects.get(reward=reward).payload["code"] == offer.code
    assert offer.code.startswith("RW-") and len(offer.code) == len("RW-XXXX-XXXX-XXXX-XXXX")

    # the next scans, also a later one while the offer is open: no second offer
    for later in (now + timedelta(hours=1), now + timedelta(days=13)):
        with django_capture_on_commit_callbacks(execute=True):
            assert win_back_run(installation=shop, now=later)["offers"] == 0
    assert WinBackOffer.objects.count() == 1 and len(mail.outbox) == 1

    # they order again while the offer is open: woke up; their next sleep earns a new offer
    back = now + timedelta(days=13, hours=2)
    customer_order_record(installation=shop, status="paid", at=back, order_payload={
        "id": "T3JkZXI6YmFjaw==", "userEmail": "weekly@x.com", "isPaid": True,
        "channel": {"slug": "default-channel", "currencyCode": "USD"},
        "total": {"gross": {"amount": 25, "currency": "USD"}}})
    assert win_back_wake(installation=shop, order_id="T3JkZXI6YmFjaw==") == 1
    estimate = lost_revenue_estimate(installation=shop, now=back)
    assert (estimate.offers, estimate.woke_after_offer, estimate.open_offers) == (1, 1, 0)
    assert win_back_run(installation=shop, now=back + timedelta(days=60))["offers"] == 1


def test_a_customer_buying_in_another_currency_is_outside_the_program(shop, caplog):
    buys(shop, "zloty@x.com", every=timedelta(days=7), times=6, total="80", currency="PLN")
    publish(shop, PROGRAM.format(k=2))
    now = START + timedelta(days=35 + 15)  # both weekly buyers asleep; one buys in PLN
    assert win_back_run(installation=shop, now=now) == {"asleep": 1, "offers": 1}
    assert list(WinBackOffer.objects.values_list("email", flat=True)) == ["weekly@x.com"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_an_expired_offer_is_not_repeated_in_the_same_sleep(shop):
    publish(shop, PROGRAM.format(k=2))
    now = START + timedelta(days=35 + 15)
    assert win_back_run(installation=shop, now=now)["offers"] == 1
    assert win_back_run(installation=shop, now=now + timedelta(days=30))["offers"] == 0
    assert WinBackOffer.objects.get().status == WinBackOffer.Status.EXPIRED


def test_a_win_back_offer_counts_under_the_customers_limit(shop):
    """`limit customer 1 rewards per year`: a second sleep the same year earns no second offer,
    as `referrals eval` decides from the same count (tests/rules/test_decision_paths.py)."""
    publish(shop, PROGRAM.format(k=2) + "limit customer 1 rewards per year\n")
    now = START + timedelta(days=35 + 15)
    assert win_back_run(installation=shop, now=now)["offers"] == 1
    back = now + timedelta(days=20)
    customer_order_record(installation=shop, status="paid", at=back, order_payload={
        "id": "T3JkZXI6YmFjaw==", "userEmail": "weekly@x.com", "isPaid": True,
        "channel": {"slug": "default-channel", "currencyCode": "USD"},
        "total": {"gross": {"amount": 25, "currency": "USD"}}})
    assert win_back_run(installation=shop, now=back + timedelta(days=60))["offers"] == 0
    win_back_run(installation=shop, now=datetime(2027, 3, 1, tzinfo=UTC))  # a new year
    assert [email for email, in WinBackOffer.objects.order_by("id").values_list("email")] == [
        "weekly@x.com", "weekly@x.com", "quarterly@x.com"]


def test_k_comes_from_the_program(shop):
    publish(shop, PROGRAM.format(k=5))
    now = START + timedelta(days=35 + 15)  # two weekly periods missed, not five
    assert win_back_run(installation=shop, now=now) == {"asleep": 0, "offers": 0}


def test_lost_revenue_estimate(shop):
    now = START + timedelta(days=182 + 200)  # both asleep
    estimate = lost_revenue_estimate(installation=shop, now=now)
    assert estimate.asleep == 2
    # (20 + 300) average orders x 30 %
    assert estimate.estimate == (Money.of("96.00", "USD"),)
    assert lost_revenue_estimate(installation=shop, now=now,
                                 return_rate=Decimal("0.5")).estimate == (Money.of("160", "USD"),)


def test_reorder_reminder_before_the_predicted_next_order(shop, settings):
    from plugin.referrals.services import referral_settings_update

    referral_settings_update(installation=shop, storefront_url="https://shop.example.com/")
    next_order = START + timedelta(days=42)  # weekly buyer: every 7 days, last on day 35
    assert reorder_reminders_plan(installation=shop, now=next_order - timedelta(days=3)) == 0
    assert reorder_reminders_plan(installation=shop, now=next_order - timedelta(days=2)) == 1
    assert reorder_reminders_plan(installation=shop, now=next_order - timedelta(days=1)) == 0
    reminder = PlannedMessage.objects.get(kind="reorder")
    from plugin.playbook.invites import planned_message_send
    from plugin.playbook.reorder import reorder_context

    context = reorder_context(message=reminder)
    assert reminder.order_id == "T3JkZXI6weekly@x.com-5"  # the last order
    assert context["reorder_url"] == (
        "https://shop.example.com/?reorder=T3JkZXI6weekly%40x.com-5")
    assert context["usual_days"] == 7
    assert planned_message_send(message=reminder, now=next_order) is True


def test_customers_asleep_command_offers_and_estimates(shop):
    import io

    from django.core.management import call_command

    publish(shop, PROGRAM.format(k=2))
    out = io.StringIO()
    now = (START + timedelta(days=182 + 200)).isoformat()  # both asleep
    call_command("customers_asleep", "--dry-run", "--now", now, stdout=out)
    assert "weekly@x.com: every 7 days" in out.getvalue()
    assert "quarterly@x.com: every 91 days" in out.getvalue()
    assert "lost revenue estimate: 96.00 USD" in out.getvalue()
    assert not WinBackOffer.objects.exists()
    call_command("customers_asleep", "--now", now, stdout=out)
    assert "2 asleep, 2 new offer(s)" in out.getvalue()
    assert WinBackOffer.objects.count() == 2
