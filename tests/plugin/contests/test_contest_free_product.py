"""Free-product contest prizes end to end: finalising records one held voucher reward carrying the
product slug, and releasing it makes one SPECIFIC_PRODUCT voucher in the (fake) Saleor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contests_testing import at, publish, referred_order
from django.core import mail

from plugin.contests.services import contests_sync_published
from plugin.dashboard.selectors import dashboard_contests
from plugin.referrals.models import CustomerOrder
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.models import OutboxItem, Reward, RewardState
from plugin.rewards.outbox import outbox_process
from plugin.rewards.selectors import reward_view
from plugin.saleor.captures import captured_products
from plugin.saleor.fake_rewards import RewardsSaleorState
from plugin.use_cases.contest_finalize import NO_CHANNEL, contest_finalize

pytestmark = pytest.mark.django_db

PROGRAM = '''program "Juice month" currency USD

contest "Juice month" from 2026-03-01 to 2026-03-31:
    score referrals.paid
    prize 1: {prize}
    prize 2: 100 points
    ties go to {ties}
'''
ENDED = at(1, 1, month=4)
FREE_JUICE = 'free product "apple-juice" hold 2 days expires 30 days'


@pytest.fixture
def saleor(fake_saleor) -> RewardsSaleorState:
    return RewardsSaleorState().install(fake_saleor)


def _contest(installation, ties: str = "earliest", prize: str = FREE_JUICE):
    publish(installation, PROGRAM.format(ties=ties, prize=prize))
    (contest,) = contests_sync_published(installation=installation)
    return contest


def _issue(installation, fake_saleor, now):
    released = rewards_release(installation=installation, now=now)
    run = outbox_process(client_for=lambda _shop: fake_saleor.client(retries=0), now=now)
    return released, run


def test_a_free_product_prize_is_held_then_issued_as_one_product_voucher(
        captured_installation, saleor, fake_saleor, django_capture_on_commit_callbacks):
    shop = captured_installation
    contest = _contest(shop)
    assert contest.prizes[0]["product"] == "apple-juice"
    for friend in ("f1@x.com", "f2@x.com"):
        referred_order(shop, referrer="ann@x.com", referee=friend, total="30", paid=at(5))
    referred_order(shop, referrer="bob@x.com", referee="f3@x.com", total="30", paid=at(6))

    with django_capture_on_commit_callbacks(execute=True):
        winners = contest_finalize(contest=contest, now=ENDED)
    assert [(w.rank, w.referrer_email) for w in winners] == [(1, "ann@x.com"), (2, "bob@x.com")]
    prize = Reward.objects.get(recipient_email="ann@x.com")
    assert (prize.kind, prize.voucher_type, prize.product) == ("voucher", "free_product",
                                                               "apple-juice")
    # ann never ordered herself: her voucher is for the channel her friends bought in
    assert (prize.channel, prize.expires_days) == ("default-channel", 30)
    view = reward_view(reward=prize)
    assert (view.state, view.due_at) == (RewardState.HELD, ENDED + timedelta(days=2))
    (ann_mail,) = [m for m in mail.outbox if m.to == ["ann@x.com"]]
    assert 'free product "apple-juice"' in ann_mail.body
    assert "on its way" in ann_mail.body

    released, run = _issue(shop, fake_saleor, ENDED + timedelta(days=1))
    assert prize not in released and saleor.vouchers == {}  # still held
    released, run = _issue(shop, fake_saleor, ENDED + timedelta(days=2))
    assert prize in released and run.done and not run.failed
    (voucher,) = saleor.vouchers.values()
    apple_juice = next(p for p in captured_products() if p["slug"] == "apple-juice")
    assert voucher["type"] == "SPECIFIC_PRODUCT" and voucher["products"] == [apple_juice["id"]]
    assert voucher["singleUse"] is True and voucher["applyOncePerOrder"] is True
    assert [(c["channel"]["slug"], c["discountValue"]) for c in voucher["channelListings"]] == [
        ("default-channel", 100.0)]
    assert reward_view(reward=prize).state == RewardState.ISSUED

    # a second finalisation, release and outbox run make nothing more
    assert contest_finalize(contest=contest, now=ENDED + timedelta(days=3)) == []
    _issue(shop, fake_saleor, ENDED + timedelta(days=4))
    assert len(saleor.vouchers) == 1 and len(fake_saleor.calls("voucher_create")) == 1
    assert Reward.objects.filter(voucher_type="free_product").count() == 1


def test_the_winners_own_order_picks_the_channel(captured_installation, saleor):
    shop = captured_installation
    contest = _contest(shop)
    referred_order(shop, referrer="ann@x.com", referee="f1@x.com", total="30", paid=at(5))
    own = referred_order(shop, referrer="zed@x.com", referee="ann@x.com", total="9", paid=at(2))
    CustomerOrder.objects.filter(pk=own.pk).update(channel="channel-pln")
    contest_finalize(contest=contest, now=ENDED)
    assert Reward.objects.get(recipient_email="ann@x.com").channel == "channel-pln"


def test_tied_winners_under_split_each_get_the_product(
        captured_installation, saleor, fake_saleor):
    shop = captured_installation
    contest = _contest(shop, ties="split")
    for who in ("ann@x.com", "bob@x.com"):
        referred_order(shop, referrer=who, referee=f"f-{who}", total="30", paid=at(5))
    winners = contest_finalize(contest=contest, now=ENDED)
    assert [(w.rank, w.reward.voucher_type, w.reward.product) for w in winners] == [
        (1, "free_product", "apple-juice"), (1, "free_product", "apple-juice")]
    _issue(shop, fake_saleor, ENDED + timedelta(days=2))
    vouchers = list(saleor.vouchers.values())
    assert len(vouchers) == 2 and {v["type"] for v in vouchers} == {"SPECIFIC_PRODUCT"}
    assert len({v["codes"]["edges"][0]["node"]["code"] for v in vouchers}) == 2


@pytest.mark.parametrize("prize", [FREE_JUICE, "30% off next order"])
def test_a_winner_without_a_channel_gets_a_voided_prize_with_the_reason(
        prize, captured_installation, saleor, fake_saleor, django_capture_on_commit_callbacks):
    shop = captured_installation
    contest = _contest(shop, prize=prize)
    referred_order(shop, referrer="ann@x.com", referee="f1@x.com", total="30", paid=at(5))
    CustomerOrder.objects.filter(installation=shop).update(channel="")

    with django_capture_on_commit_callbacks(execute=True):
        (winner,) = contest_finalize(contest=contest, now=ENDED)
    assert winner.note == NO_CHANNEL
    (ann_mail,) = [m for m in mail.outbox if m.to == ["ann@x.com"]]
    assert "The shop will be in touch" in ann_mail.body and "on its way" not in ann_mail.body
    view = reward_view(reward=winner.reward)
    assert view.state == RewardState.VOIDED and "issue this prize by hand" in view.reason
    released, _ = _issue(shop, fake_saleor, ENDED + timedelta(days=5))
    assert released == [] and OutboxItem.objects.count() == 0 and fake_saleor.mutations() == []

    (shown,) = dashboard_contests(installation=shop)
    assert shown["winners"] == [{
        "rank": 1, "score": "1", "prize": prize,
        "name": shown["winners"][0]["name"], "reward": "voided", "note": NO_CHANNEL}]
