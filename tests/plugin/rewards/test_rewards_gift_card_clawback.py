"""Gift-card clawback by delta: the shopper's spending survives, the card is adjusted once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from rewards_testing import T0

from plugin.rewards.gift_card_clawback import gift_card_clawback
from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, rewards_release
from plugin.rewards.models import OutboxItem, OutboxStatus
from plugin.rewards.outbox import LEASE, outbox_process
from plugin.rewards.selectors import debt_outstanding, reward_latest_entry
from plugin.saleor.errors import SaleorMutationError
from rules.facts.money import Money

pytestmark = pytest.mark.django_db
ORDER_TOTAL = Decimal("84.99")  # order #21
ISSUED_AT = T0 + timedelta(days=2)
REFUND_AT = T0 + timedelta(days=3)


class WorkerKilled(BaseException):
    """The process dies: nothing below it runs, the lease stays taken."""


def _learn(installation, order_id: str, now, **facts) -> None:
    order_track_update(
        installation=installation, order_id=order_id, currency="USD", total=ORDER_TOTAL, **facts
    )
    order_rewards_reconcile(installation=installation, order_id=order_id, now=now)


def _issued_card(make_reward, installation, client_for, shop) -> tuple:
    """A 20.00 USD gift-card reward, issued: (reward, card id)."""
    reward = make_reward(hold_after="payment", amount="20.00")
    _learn(installation, reward.order_id, T0 + timedelta(days=1), paid_at=T0)
    rewards_release(installation=installation, now=ISSUED_AT)
    outbox_process(client_for=client_for, now=ISSUED_AT)
    card_id = reward_latest_entry(reward=reward).details["gift_card_id"]
    assert shop.balance(card_id) == Decimal("20.00")
    return reward, card_id


def _refund_a_quarter(installation, reward) -> None:
    """21.25 of 84.99 refunded: the reward drops to 15.00, so 5.00 is taken back."""
    _learn(installation, reward.order_id, REFUND_AT, refunded=Decimal("21.25"))


def _adjustments(shop, card_id) -> list[tuple[Decimal, Decimal]]:
    return [
        (
            Decimal(str(e["balance"]["oldCurrentBalance"]["amount"])),
            Decimal(str(e["balance"]["currentBalance"]["amount"])),
        )
        for e in shop.gift_cards[card_id]["events"]
        if e["type"] == "BALANCE_ADJUSTED"
    ]


def _tags(shop, card_id) -> list[str]:
    return [t["name"] for t in shop.gift_cards[card_id]["tags"]]


def _clawback_result(reward) -> dict:
    return OutboxItem.objects.get(reward=reward, action="gift_card_clawback").result


def _owed(installation, reward) -> Money:
    return debt_outstanding(installation=installation, email=reward.recipient_email, currency="USD")


def _assert_only_done_mark(shop, card_id, reward, recovered) -> None:
    """The done mark says what was taken; the intent mark is gone."""
    tag = OutboxItem.objects.get(reward=reward, action="gift_card_clawback").tag
    done = f"{tag}-{int(Decimal(recovered) * 1000)}"
    assert [t for t in _tags(shop, card_id) if t.startswith(tag)] == [done]


def _assert_taken(shop, card_id, installation, reward, *, balance_after, recovered, debt):
    """The card ends at `balance_after`; the ledger and the debt table say what was taken."""
    assert shop.balance(card_id) == Decimal(balance_after)
    assert _clawback_result(reward) == {"recovered": recovered, "debt": debt}
    assert _owed(installation, reward) == Money.of(debt, "USD")


@pytest.mark.parametrize(
    ("spent", "balance_after", "recovered", "debt"),
    [("4.00", "11.00", "5.00", "0.00"), ("18.00", "0.00", "2.00", "3.00")],
)
def test_clawback_after_a_spend_takes_what_is_owed_or_what_is_left(
    spent,
    balance_after,
    recovered,
    debt,
    make_reward,
    shop,
    client_for,
    fake_saleor,
    captured_installation,
):
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    shop.spend(card_id, Decimal(spent))
    _refund_a_quarter(captured_installation, reward)
    outbox_process(client_for=client_for, now=REFUND_AT)

    _assert_taken(shop, card_id, captured_installation, reward,
                  balance_after=balance_after, recovered=recovered, debt=debt)
    (adjust,) = fake_saleor.calls("gift_card_balance_adjust")
    assert adjust.variables["amount"] == "-5.00"
    assert not any(
        "balanceAmount" in call.variables["input"] for call in fake_saleor.calls("gift_card_update")
    )  # the balance is never written back whole
    _assert_only_done_mark(shop, card_id, reward, recovered)


@pytest.mark.parametrize(
    ("spent_meanwhile", "balance_after", "recovered", "debt"),
    [("8.00", "7.00", "5.00", "0.00"), ("18.00", "0.00", "2.00", "3.00")],
)
def test_a_spend_between_our_read_and_our_adjust_stays_spent(
    spent_meanwhile,
    balance_after,
    recovered,
    debt,
    make_reward,
    shop,
    client_for,
    captured_installation,
):
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    _refund_a_quarter(captured_installation, reward)

    def shopper_pays(step):
        if step == "after_intent":  # we have read 20.00; the shopper pays before we adjust
            shop.spend(card_id, Decimal(spent_meanwhile))

    outbox_process(client_for=client_for, now=REFUND_AT, checkpoint=shopper_pays)

    # Writing back "20.00 read - 5.00 owed" would have left 15.00 and undone the spend.
    assert shop.balance(card_id) != Decimal("15.00")
    _assert_taken(shop, card_id, captured_installation, reward,
                  balance_after=balance_after, recovered=recovered, debt=debt)


def _die_at(step):
    def checkpoint(at):
        if at == step:
            raise WorkerKilled(at)

    return checkpoint


@pytest.mark.parametrize(
    "step", ["after_lookup", "after_intent", "after_adjust", "after_update", "before_done"]
)
@pytest.mark.parametrize(
    ("spent", "balance_after", "recovered", "debt"),
    [("0", "15.00", "5.00", "0.00"), ("17.00", "0.00", "3.00", "2.00")],
)
def test_worker_killed_at_any_step_adjusts_the_card_once(
    step,
    spent,
    balance_after,
    recovered,
    debt,
    make_reward,
    shop,
    client_for,
    fake_saleor,
    captured_installation,
):
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    if Decimal(spent):
        shop.spend(card_id, Decimal(spent))
    _refund_a_quarter(captured_installation, reward)
    with pytest.raises(WorkerKilled):
        outbox_process(client_for=client_for, now=REFUND_AT, checkpoint=_die_at(step))

    later = REFUND_AT + LEASE + timedelta(seconds=1)
    assert outbox_process(client_for=client_for, now=later).done != []
    assert outbox_process(client_for=client_for, now=later + LEASE * 2).done == []  # replay

    assert len(_adjustments(shop, card_id)) == 1
    assert len(fake_saleor.calls("gift_card_balance_adjust")) == 1
    _assert_taken(shop, card_id, captured_installation, reward,
                  balance_after=balance_after, recovered=recovered, debt=debt)
    latest = reward_latest_entry(reward=reward)
    assert (latest.action, latest.amount) == ("clawed_back", Decimal("15.000"))
    assert latest.details["recovered"] == recovered
    _assert_only_done_mark(shop, card_id, reward, recovered)


def test_retry_counts_what_the_dead_attempt_took_not_the_balance_now(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    """Killed after the adjust; the shopper spends the rest before the retry: 5.00 was taken."""
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    _refund_a_quarter(captured_installation, reward)
    with pytest.raises(WorkerKilled):
        outbox_process(client_for=client_for, now=REFUND_AT, checkpoint=_die_at("after_adjust"))
    shop.spend(card_id, Decimal("15.00"))
    outbox_process(client_for=client_for, now=REFUND_AT + LEASE * 2)

    assert shop.balance(card_id) == 0
    assert len(fake_saleor.calls("gift_card_balance_adjust")) == 1
    assert _clawback_result(reward) == {"recovered": "5.00", "debt": "0.00"}


def test_lost_answer_to_the_adjust_is_not_repeated(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    """Saleor adjusted the card but the answer timed out: the retry finds its event."""
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    _refund_a_quarter(captured_installation, reward)

    def adjust_then_time_out(variables):
        shop.gift_card_balance_adjust(variables)
        return httpx.Response(504, text="gateway timeout")

    fake_saleor.on("gift_card_balance_adjust", adjust_then_time_out)
    first = outbox_process(client_for=client_for, now=REFUND_AT)
    assert first.failed and not first.done
    shop.install(fake_saleor)
    assert outbox_process(client_for=client_for, now=REFUND_AT + timedelta(hours=1)).done != []

    assert shop.balance(card_id) == Decimal("15.00")
    assert _adjustments(shop, card_id) == [(Decimal("20.00"), Decimal("15.00"))]
    assert _clawback_result(reward) == {"recovered": "5.00", "debt": "0.00"}


def test_someone_elses_adjustment_after_our_intent_is_not_taken_for_ours(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    """The merchant tops the card up by 3.00 while our worker lies dead after its intent tag."""
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    _refund_a_quarter(captured_installation, reward)
    with pytest.raises(WorkerKilled):
        outbox_process(client_for=client_for, now=REFUND_AT, checkpoint=_die_at("after_intent"))
    shop.gift_card_balance_adjust({"id": card_id, "amount": "3.00"})
    outbox_process(client_for=client_for, now=REFUND_AT + LEASE * 2)

    assert _adjustments(shop, card_id) == [
        (Decimal("20.00"), Decimal("23.00")),
        (Decimal("23.00"), Decimal("18.00")),
    ]
    assert _clawback_result(reward) == {"recovered": "5.00", "debt": "0.00"}


def test_empty_card_is_not_adjusted_and_everything_is_owed(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    shop.spend(card_id, Decimal("20.00"))
    _refund_a_quarter(captured_installation, reward)
    outbox_process(client_for=client_for, now=REFUND_AT)

    assert fake_saleor.calls("gift_card_balance_adjust") == []
    assert _clawback_result(reward) == {"recovered": "0.00", "debt": "5.00"}
    assert _owed(captured_installation, reward) == Money.of("5.00", "USD")


def test_replaying_a_finished_clawback_changes_nothing(
    make_reward, shop, client_for, fake_saleor, captured_installation
):
    reward, card_id = _issued_card(make_reward, captured_installation, client_for, shop)
    _refund_a_quarter(captured_installation, reward)
    outbox_process(client_for=client_for, now=REFUND_AT)
    item = OutboxItem.objects.get(reward=reward, action="gift_card_clawback")
    assert item.status == OutboxStatus.DONE
    mutations_before = len(fake_saleor.mutations())

    again = gift_card_clawback(
        client=client_for(None),
        tag=item.tag,
        payload=item.payload,
        checkpoint=lambda _step: None,
    )
    assert again == {"recovered": "5.00", "debt": "0.00"}
    assert len(fake_saleor.mutations()) == mutations_before
    assert shop.balance(card_id) == Decimal("15.00")


def test_saleor_refuses_a_zero_or_too_precise_adjustment(make_reward, shop, client_for):
    """The stand-in keeps Saleor's rule, so a clawback bug there would show in these tests."""
    card = shop.gift_card_create({"input": {"balance": {"amount": "20.00", "currency": "USD"}}})
    card_id = card["giftCardCreate"]["giftCard"]["id"]
    client = client_for(None)
    for amount, message in [
        ("0", "Adjustment amount cannot be zero."),
        ("-1.005", "Value cannot have more than 2 decimal places."),
    ]:
        with pytest.raises(SaleorMutationError) as refused:
            client.execute_mutation(
                "gift_card_balance_adjust",
                {"id": card_id, "amount": amount},
                "giftCardBalanceAdjust",
            )
        assert refused.value.errors == [{"field": "amount", "code": "INVALID", "message": message}]
    assert shop.balance(card_id) == Decimal("20.00")
    client.execute_mutation(
        "gift_card_balance_adjust", {"id": card_id, "amount": "-25.00"}, "giftCardBalanceAdjust"
    )
    assert shop.balance(card_id) == 0  # clamped, not negative
    client.execute_mutation(
        "gift_card_balance_adjust", {"id": card_id, "amount": "30.00"}, "giftCardBalanceAdjust"
    )
    assert shop.gift_cards[card_id]["initialBalance"]["amount"] == 30.0  # raised with the top-up
