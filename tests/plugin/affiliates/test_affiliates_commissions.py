"""A partner's code on a real captured order: the order is the partner's, their program's
commission is held through the return window, released, reduced or clawed back by refunds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from affiliates_testing import T0

from plugin.affiliates.models import Commission, PartnerOrder
from plugin.affiliates.services import (
    partner_code_deactivate,
    partner_create,
    partner_update,
)
from plugin.install.models import Installation
from plugin.rewards.lifecycle import rewards_release
from plugin.rewards.models import Reward, RewardState, SkippedOrder
from plugin.rewards.selectors import reward_latest_entry
from rules.facts.money import Money

pytestmark = pytest.mark.django_db

FULFILLED = T0 + timedelta(seconds=2)  # ORDER_FULFILLED of order #21
HOLD_OVER = FULFILLED + timedelta(days=30, minutes=1)


def _goods(payload: dict) -> Decimal:
    return sum((Decimal(str(line["totalPrice"]["gross"]["amount"]))
                for line in payload["order"]["lines"]), Decimal(0))


def _commission() -> Reward:
    return Reward.objects.get(recipient_role="affiliate")


def _state(reward: Reward) -> tuple[str, Decimal]:
    latest = reward_latest_entry(reward=reward)
    return latest.state, latest.amount


def _placed_paid_fulfilled(deliver, code: str, where: str = "metadata") -> dict:
    deliver("ORDER_CREATED", code=code, where=where)
    paid = deliver("ORDER_FULLY_PAID", code=code, where=where)
    deliver("ORDER_FULFILLED", code=code, where=where)
    return paid


def test_an_order_with_the_partners_code_earns_their_commission_held_30_days(deliver, partner):
    code = partner.codes.get()
    paid = _placed_paid_fulfilled(deliver, code.code)

    attributed = PartnerOrder.objects.get()
    assert (attributed.partner, attributed.code, attributed.source) == (partner, code, "metadata")
    assert attributed.order_number == "21" and attributed.total == Decimal("84.99")
    reward = _commission()
    # the ready program: 8 % of the goods (no sale items in this order), shipping not included
    expected = Money(_goods(paid) * Decimal("0.08"), "USD").amount
    assert (reward.amount, reward.recipient_email) == (expected, "nora@blog.example")
    assert Commission.objects.get(reward=reward).partner == partner
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.HELD
    assert latest.due_at == FULFILLED.replace(microsecond=latest.due_at.microsecond) + timedelta(
        days=30)


def test_the_hold_ends_into_payable_without_anything_issued_in_saleor(deliver, partner):
    _placed_paid_fulfilled(deliver, partner.codes.get().code)

    released = rewards_release(now=HOLD_OVER)

    reward = _commission()
    assert released == [reward]
    assert _state(reward)[0] == RewardState.ISSUED
    assert not reward.outbox_items.exists()  # paid with the partner's payout, not a gift card


def test_a_refund_during_the_hold_lowers_the_commission_and_a_full_refund_voids_it(
        deliver, partner):
    code = partner.codes.get().code
    paid = _placed_paid_fulfilled(deliver, code)
    deliver("ORDER_REFUNDED", 1, code=code)  # 21.25 of 84.99 back

    kept = 1 - Decimal("21.25") / Decimal("84.99")
    full = Money(_goods(paid) * Decimal("0.08"), "USD").amount
    assert _state(_commission()) == (RewardState.HELD, Money(full * kept, "USD").amount)

    deliver("ORDER_FULLY_REFUNDED", 1, code=code)
    assert _state(_commission())[0] == RewardState.VOIDED
    assert rewards_release(now=HOLD_OVER) == []


def test_a_refund_after_the_hold_claws_the_commission_back(deliver, partner):
    code = partner.codes.get().code
    _placed_paid_fulfilled(deliver, code)
    rewards_release(now=HOLD_OVER)
    before = _state(_commission())[1]

    deliver("ORDER_REFUNDED", 1, code=code, at=HOLD_OVER + timedelta(days=3))

    reward = _commission()
    latest = reward_latest_entry(reward=reward)
    after = Money(before * (1 - Decimal("21.25") / Decimal("84.99")), "USD").amount
    assert (latest.action, latest.state, latest.amount) == ("clawed_back", "issued", after)
    assert Decimal(latest.details["clawed_back"]) == before - after


def test_a_code_typed_as_the_orders_voucher_attributes_too(deliver, partner):
    _placed_paid_fulfilled(deliver, partner.codes.get().code, where="voucher")
    assert PartnerOrder.objects.get().source == "voucher"
    assert _commission().amount > 0


def test_an_order_without_a_partner_code_is_nobodys(deliver, partner):
    deliver("ORDER_CREATED", code=None)
    deliver("ORDER_FULLY_PAID", code=None)
    assert not PartnerOrder.objects.exists()
    assert not Reward.objects.filter(recipient_role="affiliate").exists()


def test_another_shops_partner_code_brings_nothing_here(deliver, shop):
    elsewhere = Installation.objects.create(saleor_api_url="https://other.example.com/graphql/")
    stranger = partner_create(installation=elsewhere, name="Other", email="o@x.example", now=T0)
    _placed_paid_fulfilled(deliver, stranger.codes.get().code)
    assert not PartnerOrder.objects.exists()


def test_an_inactive_code_brings_no_order(deliver, partner):
    code = partner.codes.get()
    partner_code_deactivate(code=code, now=T0)
    _placed_paid_fulfilled(deliver, code.code)
    assert not PartnerOrder.objects.exists()


def test_a_paused_partner_keeps_the_order_but_earns_no_commission(deliver, partner):
    partner_update(partner=partner, active=False, now=T0)
    _placed_paid_fulfilled(deliver, partner.codes.get().code)
    assert PartnerOrder.objects.get().partner == partner
    assert not Reward.objects.filter(recipient_role="affiliate").exists()


def test_an_order_in_another_currency_than_the_partners_program_is_skipped(deliver, partner):
    code = partner.codes.get()
    for event in ("ORDER_CREATED", "ORDER_FULLY_PAID", "ORDER_FULLY_PAID"):  # the last, resent
        deliver(event, code=code.code, currency="PLN")  # each one done, none retried

    assert PartnerOrder.objects.get().partner == partner  # still the partner's order
    assert not Reward.objects.filter(recipient_role="affiliate").exists()
    assert list(SkippedOrder.objects.values_list("number", "program", "reason")) == [
        ("21", f"partner {partner.pk}", "order in PLN, partner program in USD")]
