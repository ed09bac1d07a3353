"""A free-product reward from the merchant's rules to Saleor: captured deliveries in, one
single-use SPECIFIC_PRODUCT voucher at 100 % out, or a voided reward when the slug is unknown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from flows_testing import alice_code_create, deliveries_until, history

from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.rewards.models import Reward
from plugin.rewards.selectors import reward_latest_entry
from plugin.saleor.captures import captured_delivery

pytestmark = pytest.mark.django_db

PROGRAM = """\
program "Juice for friends" currency USD

on order paid when referred:
    give referrer free product "{slug}" hold 14 days after fulfillment
"""


def _publish(installation, slug: str) -> None:
    program = program_get_or_create(installation=installation)
    program_save_draft(program=program, source=PROGRAM.format(slug=slug), actor=SystemActor())
    program_publish(program=program, actor=SystemActor())


def _product_vouchers(shop) -> list[dict]:
    return [v for v in shop.vouchers.values() if v["type"] == "SPECIFIC_PRODUCT"]


def _fulfilled_and_due(installation, send, clock, on_commit) -> Reward:
    alice_code_create(installation=installation)
    send(deliveries_until("ORDER_FULFILLED", 1))
    reward = Reward.objects.get(installation=installation, order_number="21")
    clock.now = reward_latest_entry(reward=reward).due_at + timedelta(minutes=1)
    with on_commit(execute=True):  # the e-mails go once the release commits
        call_command("rewards_release")
    return reward


def test_rules_to_one_free_product_voucher(
    captured_installation,
    shop,
    clock,
    send,
    fake_saleor,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _publish(captured_installation, "apple-juice")
    reward = _fulfilled_and_due(
        captured_installation, send, clock, django_capture_on_commit_callbacks
    )
    call_command("rewards_release")  # a second run finds nothing to do

    assert (reward.kind, reward.voucher_type, reward.product) == (
        "voucher",
        "free_product",
        "apple-juice",
    )
    lines = captured_delivery("ORDER_UPDATED", 4).payload["order"]["lines"]
    (apple_juice,) = [
        line["variant"]["product"]
        for line in lines
        if line["variant"]["product"]["slug"] == "apple-juice"
    ]
    (voucher,) = _product_vouchers(shop)  # beside the referee's code's own voucher
    assert (voucher["type"], voucher["products"]) == ("SPECIFIC_PRODUCT", [apple_juice["id"]])
    assert voucher["discountValueType"] == "PERCENTAGE" and voucher["singleUse"] is True
    assert [item["discountValue"] for item in voucher["channelListings"]] == [100.0]
    assert history(reward)[-2:] == [("released", "issuing"), ("issued", "issued")]
    assert reward_latest_entry(reward=reward).details["code"] == voucher["code"]
    creates = fake_saleor.calls("voucher_create")
    assert [c.variables["input"]["type"] for c in creates].count("SPECIFIC_PRODUCT") == 1
    to_alice = [m.body for m in mail.outbox if m.to == ["alice.referrer@example.com"]]
    assert any("one free apple-juice for order 21 is confirmed" in body for body in to_alice)
    (issued,) = [body for body in to_alice if "Use the code" in body]
    assert "Your reward of one free apple-juice is ready" in issued
    assert voucher["code"] in issued and "None" not in issued


def test_rules_naming_an_unknown_product_void_the_reward(
    captured_installation, shop, clock, send, fake_saleor, django_capture_on_commit_callbacks
):
    _publish(captured_installation, "golden-teapot")
    reward = _fulfilled_and_due(
        captured_installation, send, clock, django_capture_on_commit_callbacks
    )
    clock.now += timedelta(days=2)
    call_command("rewards_release")

    latest = reward_latest_entry(reward=reward)
    assert history(reward)[-2:] == [("released", "issuing"), ("voided", "voided")]
    assert "golden-teapot" in latest.reason
    assert _product_vouchers(shop) == []
    creates = fake_saleor.calls("voucher_create")
    assert all(c.variables["input"]["type"] != "SPECIFIC_PRODUCT" for c in creates)
