"""Free-product voucher rewards: one SPECIFIC_PRODUCT voucher at 100 %, made once; unknown
products void the reward instead of being retried forever."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.core import mail
from rewards_testing import T0

from plugin.messages.models import SentMessage
from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, rewards_release
from plugin.rewards.models import OutboxItem, OutboxStatus, RewardState
from plugin.rewards.outbox import LEASE, outbox_process
from plugin.rewards.selectors import reward_latest_entry
from plugin.saleor.captures import captured_delivery

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process dies between two steps: no error handling runs, the lease stays taken."""


def _die_at(step):
    def checkpoint(at):
        if at == step:
            raise WorkerKilled(at)

    return checkpoint


def _captured_product(slug: str) -> dict:
    """The product as the captured Saleor described it on an order line."""
    products = [
        line["variant"]["product"]
        for number in (4, 6)  # orders with Apple Juice, and with Blue Plimsolls
        for line in captured_delivery("ORDER_UPDATED", number).payload["order"]["lines"]
    ]
    return next(product for product in products if product["slug"] == slug)


def _released_free_product(make_reward, installation, product: str):
    reward = make_reward(
        kind="voucher",
        voucher_type="free_product",
        amount=None,
        product=product,
        hold_after="payment",
    )
    order_track_update(
        installation=installation,
        order_id=reward.order_id,
        currency="USD",
        total=Decimal("84.99"),
        paid_at=T0,
    )
    order_rewards_reconcile(installation=installation, order_id=reward.order_id, now=T0)
    assert rewards_release(installation=installation, now=T0 + timedelta(seconds=1)) == [reward]
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUING
    return reward


@pytest.mark.parametrize("step", ["after_lookup", "after_create", "after_listing", "before_done"])
def test_free_product_voucher_made_once_when_the_worker_dies(
    step, make_reward, shop, client_for, fake_saleor, captured_installation
):
    apple_juice = _captured_product("apple-juice")
    reward = _released_free_product(make_reward, captured_installation, "apple-juice")
    with pytest.raises(WorkerKilled):
        outbox_process(
            client_for=client_for, now=T0 + timedelta(minutes=1), checkpoint=_die_at(step)
        )
    assert outbox_process(client_for=client_for, now=T0 + timedelta(minutes=2)).done == []
    assert outbox_process(client_for=client_for, now=T0 + LEASE * 2).done != []
    assert outbox_process(client_for=client_for, now=T0 + LEASE * 4).done == []  # replay: no-op

    (voucher,) = shop.vouchers.values()
    assert voucher["type"] == "SPECIFIC_PRODUCT"
    assert voucher["products"] == [apple_juice["id"]]
    assert voucher["discountValueType"] == "PERCENTAGE"
    assert voucher["applyOncePerOrder"] is True and voucher["singleUse"] is True
    assert [
        (item["channel"]["slug"], item["discountValue"]) for item in voucher["channelListings"]
    ] == [("default-channel", 100.0)]
    assert len(fake_saleor.calls("voucher_create")) == 1
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.ISSUED
    assert latest.details["code"] == voucher["code"]


def test_the_requests_carry_the_product_id_and_100_percent(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    plimsolls = _captured_product("blue-plimsolls")
    _released_free_product(make_reward, captured_installation, "blue-plimsolls")
    assert outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1)).done

    (lookup,) = fake_saleor.calls("products_by_slug")
    assert lookup.variables == {"slug": "blue-plimsolls", "channel": "default-channel"}
    (create,) = fake_saleor.calls("voucher_create")
    sent = create.variables["input"]
    assert sent["type"] == "SPECIFIC_PRODUCT"
    assert sent["products"] == [plimsolls["id"]]
    assert sent["discountValueType"] == "PERCENTAGE"
    assert sent["applyOncePerOrder"] is True
    assert sent["singleUse"] is True and len(sent["addCodes"]) == 1
    (listing,) = fake_saleor.calls("voucher_channel_listing_update")
    (channel,) = listing.variables["input"]["addChannels"]
    assert Decimal(channel["discountValue"]) == 100
    assert channel["channelId"] == shop.channels[0]["id"]


def test_lost_answer_to_the_create_is_found_by_its_code(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    """Saleor made the voucher but the answer was lost: the retry finds it, makes no second."""
    reward = _released_free_product(make_reward, captured_installation, "apple-juice")

    def create_then_time_out(variables):
        shop.voucher_create(variables)
        return httpx.Response(504, text="gateway timeout")

    fake_saleor.on("voucher_create", create_then_time_out)
    assert outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1)).failed
    shop.install(fake_saleor)
    assert outbox_process(client_for=client_for, now=T0 + timedelta(hours=1)).done
    assert len(shop.vouchers) == 1 and len(fake_saleor.calls("voucher_create")) == 1
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUED


def test_unknown_product_voids_the_reward_with_its_reason_and_is_not_retried(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    reward = _released_free_product(make_reward, captured_installation, "orange-juice")
    run = outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1))
    assert run.failed and not run.done

    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.VOIDED
    assert "'orange-juice'" in latest.reason and "default-channel" in latest.reason
    item = OutboxItem.objects.get(reward=reward)
    assert item.status == OutboxStatus.DONE
    assert "orange-juice" in item.result["undeliverable"]
    assert shop.vouchers == {} and fake_saleor.mutations() == []

    calls_before = len(fake_saleor.calls())
    for later in (timedelta(hours=1), timedelta(days=3)):
        assert outbox_process(client_for=client_for, now=T0 + later).failed == []
    assert len(fake_saleor.calls()) == calls_before  # closed: Saleor is not asked again
    assert reward_latest_entry(reward=reward).seq == latest.seq


def test_voided_free_product_tells_the_recipient_once(
    make_reward,
    shop,
    client_for,
    captured_installation,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reward = _released_free_product(make_reward, captured_installation, "orange-juice")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_process(client_for=client_for, now=T0 + timedelta(minutes=1))
        outbox_process(client_for=client_for, now=T0 + timedelta(days=1))
    sent = SentMessage.objects.filter(key=f"reward:{reward.pk}:reward_voided")
    assert [(m.template, m.to) for m in sent] == [("reward_voided", "alice.referrer@example.com")]
    (voided_mail,) = [m for m in mail.outbox if m.subject == sent.get().subject]
    assert voided_mail.to == ["alice.referrer@example.com"]
    assert 'the free product "orange-juice" is no longer available' in voided_mail.body
    assert "default-channel" not in voided_mail.body  # the shop's channel names stay inside
