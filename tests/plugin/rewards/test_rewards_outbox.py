"""Exactly-once issuing: kill the worker at every step, lose Saleor's answers, replay everything."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from rewards_testing import T0, on_postgres

from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, rewards_release
from plugin.rewards.models import OutboxItem, OutboxStatus, RewardState
from plugin.rewards.outbox import LEASE, outbox_process
from plugin.rewards.selectors import reward_latest_entry
from plugin.rewards.services import points_redeem

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process dies: nothing below it runs, no error handling, the lease stays taken."""


def _paid_at_t0(installation, reward) -> None:
    """The reward's order is paid at T0 and reconciled: its hold starts."""
    order_track_update(
        installation=installation,
        order_id=reward.order_id,
        currency="USD",
        total=Decimal("84.99"),
        paid_at=T0,
    )
    order_rewards_reconcile(installation=installation, order_id=reward.order_id, now=T0)


def _released(make_reward, installation, **reward_options):
    reward = make_reward(hold_after="payment", **reward_options)
    _paid_at_t0(installation, reward)
    assert reward_latest_entry(reward=reward).state == RewardState.HELD
    assert rewards_release(installation=installation, now=T0 + timedelta(seconds=1)) == [reward]
    expected = RewardState.ISSUED if reward.kind == "points" else RewardState.ISSUING
    assert reward_latest_entry(reward=reward).state == expected
    return reward


def _die_at(step):
    def checkpoint(at):
        if at == step:
            raise WorkerKilled(at)

    return checkpoint


@pytest.mark.parametrize("step", ["after_lookup", "after_create", "before_done"])
def test_gift_card_created_once_when_the_worker_dies(
    step, make_reward, shop, client_for, fake_saleor, captured_installation
):
    reward = _released(make_reward, captured_installation)
    now = T0 + timedelta(minutes=1)
    with pytest.raises(WorkerKilled):
        outbox_process(client_for=client_for, now=now, checkpoint=_die_at(step))

    # While the dead worker's lease runs, nobody else touches the item.
    assert outbox_process(client_for=client_for, now=now).done == []
    later = now + LEASE + timedelta(seconds=1)
    assert outbox_process(client_for=client_for, now=later).done != []
    assert outbox_process(client_for=client_for, now=later + LEASE * 2).done == []  # replay: no-op
    assert rewards_release(installation=captured_installation, now=later) == []

    assert len(shop.gift_cards) == 1
    (card,) = shop.gift_cards.values()
    assert card["currentBalance"] == {"amount": 10.0, "currency": "USD"}
    assert shop.sent_to == [("alice.referrer@example.com", card["id"])]
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.ISSUED
    assert latest.details["gift_card_id"] == card["id"]
    assert "code" not in latest.details  # the card's code is Saleor's to send, never stored here
    assert len(fake_saleor.calls("gift_card_create")) == 1


def test_lost_answer_to_a_create_is_found_not_repeated(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    """Saleor made the card but the answer timed out: the retry finds it by its tag."""
    reward = _released(make_reward, captured_installation)

    def create_then_time_out(variables):
        shop.gift_card_create(variables)
        return httpx.Response(504, text="gateway timeout")

    fake_saleor.on("gift_card_create", create_then_time_out)
    first = outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1))
    assert first.failed and not first.done
    item = OutboxItem.objects.get(reward=reward)
    assert item.status == OutboxStatus.PENDING and "unavailable" in item.last_error.lower()
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUING

    shop.install(fake_saleor)  # Saleor answers normally again
    assert (
        outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1)).done == []
    )  # backoff
    assert outbox_process(client_for=client_for, now=T0 + timedelta(hours=1)).done == [item.pk]
    assert len(shop.gift_cards) == 1
    assert len(fake_saleor.calls("gift_card_create")) == 1
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUED


def test_saleor_down_keeps_the_item_and_gives_up_visibly(
    make_reward, shop, client_for, fake_saleor, captured_installation, settings
):
    settings.REWARDS_OUTBOX_MAX_ATTEMPTS = 2
    reward = _released(make_reward, captured_installation)
    fake_saleor.fail_next(100, status=503)
    outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1))
    outbox_process(client_for=client_for, now=T0 + timedelta(days=1))
    item = OutboxItem.objects.get(reward=reward)
    assert item.status == OutboxStatus.DEAD and item.attempts == 2
    assert shop.gift_cards == {}
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUING


@pytest.mark.parametrize("step", ["after_lookup", "after_create", "after_listing", "before_done"])
def test_voucher_reward_made_once_when_the_worker_dies(
    step, make_reward, shop, client_for, captured_installation
):
    reward = _released(make_reward, captured_installation, kind="voucher", voucher_type="fixed")
    with pytest.raises(WorkerKilled):
        outbox_process(
            client_for=client_for, now=T0 + timedelta(minutes=1), checkpoint=_die_at(step)
        )
    outbox_process(client_for=client_for, now=T0 + LEASE * 2)
    outbox_process(client_for=client_for, now=T0 + LEASE * 4)
    assert len(shop.vouchers) == 1
    (voucher,) = shop.vouchers.values()
    assert voucher["singleUse"] is True
    assert [listing["discountValue"] for listing in voucher["channelListings"]] == [10.0]
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.ISSUED
    assert latest.details["code"] == voucher["code"]


def test_points_redeemed_for_a_voucher_once(make_reward, shop, client_for, captured_installation):
    reward = _released(make_reward, captured_installation, kind="points", amount=None, points=500)
    assert reward_latest_entry(reward=reward).points == 500  # points: credited, no outbox
    code = points_redeem(
        installation=captured_installation,
        customer_id="VXNlcjo0Ng==",
        email="Alice.Referrer@example.com",
        points=300,
        now=T0 + timedelta(hours=1),
    )
    with pytest.raises(WorkerKilled):
        outbox_process(
            client_for=client_for, now=T0 + timedelta(hours=1), checkpoint=_die_at("after_create")
        )
    outbox_process(client_for=client_for, now=T0 + timedelta(hours=2))
    (voucher,) = shop.vouchers.values()
    assert voucher["code"] == code
    assert voucher["channelListings"][0]["discountValue"] == 3.0  # 300 points x 0.01 USD


def test_release_command_issues_due_rewards(make_reward, shop, captured_installation):
    from io import StringIO

    from django.core.management import call_command

    reward = make_reward(hold_after="payment", hold_days=14)
    _paid_at_t0(captured_installation, reward)
    out = StringIO()
    call_command("rewards_release", now="2026-12-01T00:00:00+00:00", stdout=out)
    assert out.getvalue().strip() == "released 0, issued 0, failed 0"  # hold not over yet
    call_command("rewards_release", now="2026-12-07T00:00:00+00:00", stdout=out)
    assert out.getvalue().splitlines()[-1] == "released 1, issued 1, failed 0"
    assert len(shop.gift_cards) == 1
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUED


def test_dead_items_can_be_retried_by_command(
    make_reward, shop, fake_saleor, captured_installation, settings
):
    from io import StringIO

    from django.core.management import call_command

    settings.REWARDS_OUTBOX_MAX_ATTEMPTS = 1
    reward = _released(make_reward, captured_installation)
    fake_saleor.fail_next(1, status=503)
    call_command("rewards_release", stdout=StringIO())
    assert OutboxItem.objects.get(reward=reward).status == OutboxStatus.DEAD
    out = StringIO()
    call_command("rewards_release", "--retry-dead", stdout=out)
    assert "requeued 1" in out.getvalue()
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUED
    assert len(shop.gift_cards) == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(not on_postgres(), reason="concurrent workers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_issue_one_gift_card(
    make_reward, shop, fake_saleor, captured_installation, monkeypatch
):
    import threading

    from django.db import connection

    monkeypatch.setattr("plugin.rewards.tasks.outbox_kick", lambda: None)  # workers do it below
    _released(make_reward, captured_installation)
    barrier = threading.Barrier(4)
    done = []

    def work():
        try:
            barrier.wait()
            run = outbox_process(
                client_for=lambda _i: fake_saleor.client(retries=0), now=T0 + timedelta(minutes=1)
            )
            done.extend(run.done)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == 1
    assert len(shop.gift_cards) == 1
    assert len(fake_saleor.calls("gift_card_create")) == 1


def test_gift_card_expires_counted_from_the_day_it_is_issued(
    make_reward, shop, client_for, captured_installation
):
    _released(make_reward, captured_installation, expires_days=30)  # released at T0 + 1 s
    outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1))
    (card,) = shop.gift_cards.values()
    assert card["expiryDate"] == "2026-12-22"
    assert {"referral-reward"} <= {tag["name"] for tag in card["tags"]}


def test_a_late_landing_earlier_create_of_the_voucher_is_adopted_not_orphaned(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    """The first attempt's voucherCreate timed out but Saleor was still working on it: it lands
    between the retry's lookup and its own create, which Saleor refuses (the code exists). That
    voucher is this reward's: the retry adopts it instead of drawing a fresh code and leaving a
    live single-use voucher in Saleor that nobody was given."""
    reward = _released(make_reward, captured_installation, kind="voucher", voucher_type="fixed")
    created = []

    def create_landing_late(variables):
        created.append(variables)
        return httpx.Response(504, text="gateway timeout")  # Saleor still busy with it

    def lookup_then_the_late_create_lands(variables):
        found = shop.vouchers_by_code(variables)
        if created and not shop.vouchers:
            shop.voucher_create(created[0])  # the first attempt's create completes now
        return found

    fake_saleor.on("voucher_create", create_landing_late)
    assert outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1)).failed
    shop.install(fake_saleor)
    fake_saleor.on("vouchers_by_code", lookup_then_the_late_create_lands)

    item = OutboxItem.objects.get(reward=reward)
    assert outbox_process(client_for=client_for, now=T0 + timedelta(hours=1)).done == [item.pk]
    assert len(shop.vouchers) == 1
    (voucher,) = shop.vouchers.values()
    assert [listing["discountValue"] for listing in voucher["channelListings"]] == [10.0]
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.ISSUED
    assert latest.details["code"] == voucher["code"] == created[0]["input"]["addCodes"][0]
