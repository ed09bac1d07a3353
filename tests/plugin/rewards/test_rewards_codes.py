"""Codes a shopper redeems and tags sent to Saleor: random, stored first, never someone else's."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rewards_testing import T0

from plugin.install.models import Installation
from plugin.referrals.codes import CODE_ALPHABET, secret_code, secret_code_bits
from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, rewards_release
from plugin.rewards.models import (
    CodeStatus,
    EntryAction,
    OutboxItem,
    OutboxStatus,
    RedemptionCode,
    RewardState,
)
from plugin.rewards.outbox import LEASE, outbox_process
from plugin.rewards.selectors import reward_latest_entry
from plugin.rewards.services import points_redeem, reward_create
from plugin.use_cases.checkout_discount import _new_code

pytestmark = pytest.mark.django_db

RELEASED_AT = T0 + timedelta(seconds=1)


class WorkerKilled(BaseException):
    """The process dies mid-way (nothing below runs; the lease stays taken)."""


def _die_at(step):
    def checkpoint(at):
        if at == step:
            raise WorkerKilled(at)

    return checkpoint


def _reward(installation, *, pk=None, kind="voucher", amount="10.00", email="alice@example.com",
            points=None, order_id="order-1", key=None):
    fields = {
        "order_id": order_id, "order_number": "21", "channel": "default-channel",
        "rule_label": "referrer reward", "recipient_role": "referrer", "recipient_email": email,
        "kind": kind, "delivery": "gift_card", "voucher_type": "fixed" if kind == "voucher" else "",
        "amount": Decimal(amount) if amount is not None else None,
        "currency": "USD" if amount is not None else "", "points": points,
        "hold_days": 0, "hold_after": "payment",
    }
    if pk is not None:
        fields["id"] = pk
    reward, created = reward_create(
        installation=installation, key=key or f"test:{pk or email}:{order_id}", fields=fields,
        action=EntryAction.DECIDED, state=RewardState.PENDING, now=T0,
    )
    assert created
    return reward


def _release(installation, *order_ids):
    for order_id in order_ids or ("order-1",):
        order_track_update(installation=installation, order_id=order_id, currency="USD",
                           total=Decimal("84.99"), paid_at=T0)
        order_rewards_reconcile(installation=installation, order_id=order_id, now=T0)
    return rewards_release(installation=installation, now=RELEASED_AT)


def _old_scheme(key: str) -> str:
    """The computable code of the earlier release, as an attacker would compute it."""
    digest = hashlib.sha256(key.encode()).hexdigest().upper()
    return f"PTS-{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


# --- where codes come from ------------------------------------------------------------------


def test_codes_carry_at_least_64_bits_in_a_readable_alphabet():
    assert secret_code_bits() >= 64
    code = secret_code(prefix="RW")
    prefix, *groups = code.split("-")
    assert prefix == "RW" and [len(g) for g in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("01ILOUV") & set(CODE_ALPHABET)  # nothing to misread aloud
    with pytest.raises(ValueError):
        secret_code(prefix="RW", length=10)  # 48 bits: refused
    assert secret_code_bits(len(_new_code().replace("-", "")) - 2) >= 64  # referee checkout code


def test_every_character_of_a_code_and_every_tag_comes_from_secrets(
    monkeypatch, captured_installation
):
    """Swap the `secrets` functions: what comes out is exactly what they gave, nothing else."""
    letters = itertools.cycle("ABCDEFGHJKMNPQRS")
    monkeypatch.setattr("secrets.choice", lambda alphabet: next(letters))
    monkeypatch.setattr("secrets.token_hex", lambda n: "ab" * n)
    reward = _reward(captured_installation)
    assert _release(captured_installation) == [reward]
    item = OutboxItem.objects.get(reward=reward)
    assert item.payload["code"] == "RW-ABCD-EFGH-JKMN-PQRS"
    assert item.tag == "rr-" + "ab" * 16


def test_consecutive_rewards_codes_have_nothing_to_compute_from(captured_installation):
    rewards = [_reward(captured_installation, order_id=f"order-{n}") for n in range(1, 31)]
    _release(captured_installation, *(f"order-{n}" for n in range(1, 31)))
    codes = [OutboxItem.objects.get(reward=r).payload["code"] for r in rewards]
    assert len(set(codes)) == len(codes)
    computable = {
        _old_scheme(f"reward:{captured_installation.pk}:{n}") for n in range(1, 1000)
    }
    assert not computable & set(codes)  # hashing small ids finds none of them
    # consecutive codes agree at a place about 1 time in 29, as independent draws do; a code
    # counted or hashed up from its neighbour's id would agree far more often (a counter: most)
    bodies = [c.replace("-", "")[2:] for c in codes]
    pairs = list(itertools.pairwise(bodies))
    same_place = sum(a == b for x, y in pairs for a, b in zip(x, y, strict=True))
    assert same_place < len(pairs) * 16 * 0.25  # ~16 expected of 464; 116+ is never chance


# --- two installations and two databases never meet ------------------------------------------


class _Rollback(Exception):
    """Ends one simulated database: every row it wrote is gone, ids can start over."""


def _one_database(specs, *, client_for, installation_pks) -> dict:
    """Run the same story with the same ids in a fresh database on the one shared Saleor."""
    seen: dict = {}
    try:
        with transaction.atomic():
            for inst_pk in installation_pks:
                installation = Installation.objects.create(
                    pk=inst_pk, saleor_api_url=f"https://shop-{inst_pk}.example.com/graphql/"
                )
                for n, (kind, amount, email) in enumerate(specs, start=1):
                    _reward(installation, pk=inst_pk * 100 + n, kind=kind, email=email,
                            amount=None if kind == "points" else amount,
                            points=500 if kind == "points" else None, order_id=f"order-{n}")
                _release(installation, *(f"order-{n}" for n in range(1, len(specs) + 1)))
                if any(kind == "points" for kind, _, _ in specs):
                    email = next(e for k, _, e in specs if k == "points")
                    points_redeem(installation=installation, customer_id=None, email=email,
                                  points=100, now=RELEASED_AT)
                outbox_process(client_for=client_for, now=RELEASED_AT, installation=installation)
            seen = {
                "reward_ids": sorted(
                    OutboxItem.objects.exclude(reward=None).values_list("reward_id", flat=True)
                ),
                "codes": list(RedemptionCode.objects.values_list("code", flat=True)),
                "tags": list(OutboxItem.objects.values_list("tag", flat=True)),
                "done": OutboxItem.objects.filter(status=OutboxStatus.DONE).count(),
                "items": OutboxItem.objects.count(),
            }
            raise _Rollback
    except _Rollback:
        pass
    return seen


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    specs=st.lists(
        st.tuples(
            st.sampled_from(["money", "voucher", "points"]),
            st.sampled_from(["5.00", "10.00", "25.50"]),
            st.sampled_from(["alice@example.com", "bob@example.com"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_two_databases_with_the_same_ids_never_share_a_code_or_tag(
    specs, shop, client_for, fake_saleor
):
    cards_before = len(fake_saleor.calls("gift_card_create"))
    first = _one_database(specs, client_for=client_for, installation_pks=(1, 2))
    second = _one_database(specs, client_for=client_for, installation_pks=(1, 2))
    assert first["reward_ids"] == second["reward_ids"]  # the very ids the old scheme hashed
    for run in (first, second):
        assert len(set(run["codes"])) == len(run["codes"])  # two installations: all different
        assert len(set(run["tags"])) == len(run["tags"])
        assert run["done"] == run["items"]  # every item finished in its own database
    assert not set(first["codes"]) & set(second["codes"])
    assert not set(first["tags"]) & set(second["tags"])
    money = sum(kind == "money" for kind, _, _ in specs)
    # the second database made its own cards: it adopted none of the first one's
    assert len(fake_saleor.calls("gift_card_create")) - cards_before == 2 * 2 * money


# --- stored before Saleor, reused on retry ---------------------------------------------------


def test_voucher_code_is_stored_before_saleor_and_a_retry_sends_the_same(
    shop, client_for, fake_saleor, captured_installation
):
    reward = _reward(captured_installation)
    _release(captured_installation)
    stored = RedemptionCode.objects.get(reward=reward)
    assert stored.status == CodeStatus.ACTIVE and stored.saleor_voucher_id == ""
    with pytest.raises(WorkerKilled):
        outbox_process(client_for=client_for, now=RELEASED_AT, checkpoint=_die_at("after_create"))
    outbox_process(client_for=client_for, now=RELEASED_AT + LEASE * 2)
    (voucher,) = shop.vouchers.values()
    creates = fake_saleor.calls("voucher_create")
    assert [call.variables["input"]["addCodes"] for call in creates] == [[stored.code]]
    assert voucher["code"] == stored.code
    stored.refresh_from_db()
    assert stored.saleor_voucher_id == voucher["id"]
    assert reward_latest_entry(reward=reward).details["code"] == stored.code


def test_a_code_saleor_has_on_someone_elses_voucher_is_replaced_not_adopted(
    shop, client_for, captured_installation
):
    reward = _reward(captured_installation)
    _release(captured_installation)
    drawn = OutboxItem.objects.get(reward=reward).payload["code"]
    # another app (or database) already holds that code in Saleor, for its own shopper
    shop.voucher_create({"input": {"name": "Staff 50% off", "addCodes": [drawn],
                                   "discountValueType": "PERCENTAGE", "singleUse": False}})
    assert outbox_process(client_for=client_for, now=RELEASED_AT).done
    theirs, ours = shop.vouchers.values()
    assert shop._codes(theirs) == [drawn] and theirs["name"] == "Staff 50% off"
    (code,) = shop._codes(ours)
    assert code != drawn and ours["singleUse"]
    assert reward_latest_entry(reward=reward).details["code"] == code
    old = RedemptionCode.objects.get(code=drawn)
    assert old.status == CodeStatus.RETIRED and old.replaced_by.code == code


# --- gift cards found by tag --------------------------------------------------------------


def _foreign_card(shop, *, tag, amount="10.00", email="someone.else@example.com"):
    """A card made earlier by another database under the same tag (its own reward, its own mail)."""
    created = shop.gift_card_create({"input": {
        "balance": {"amount": amount, "currency": "USD"}, "userEmail": email,
        "channel": "default-channel", "isActive": True, "addTags": ["referral-reward", tag],
    }})
    return created["giftCardCreate"]["giftCard"]


@pytest.mark.parametrize("difference", [{"email": "carol@example.com"}, {"amount": "25.00"}])
def test_a_card_found_by_tag_but_made_for_another_is_not_adopted(
    difference, shop, client_for, fake_saleor, captured_installation
):
    reward = _reward(captured_installation, kind="money", email="alice@example.com")
    _release(captured_installation)
    item = OutboxItem.objects.get(reward=reward)
    theirs = _foreign_card(shop, tag=item.tag, **difference)
    with pytest.raises(WorkerKilled):  # and a kill on the way changes nothing
        outbox_process(client_for=client_for, now=RELEASED_AT, checkpoint=_die_at("after_create"))
    outbox_process(client_for=client_for, now=RELEASED_AT + LEASE * 2)
    outbox_process(client_for=client_for, now=RELEASED_AT + LEASE * 4)  # replay: nothing more
    ours = [c for c in shop.gift_cards.values() if c["id"] != theirs["id"]]
    assert len(ours) == 1
    assert ours[0]["currentBalance"] == {"amount": 10.0, "currency": "USD"}
    assert ("alice@example.com", ours[0]["id"]) in shop.sent_to
    latest = reward_latest_entry(reward=reward)
    assert latest.state == RewardState.ISSUED
    assert latest.details["gift_card_id"] == ours[0]["id"] != theirs["id"]
    assert latest.details["last4"] == ours[0]["last4CodeChars"]  # what the e-mail will quote
    assert shop.balance(theirs["id"]) == Decimal(difference.get("amount", "10.00"))  # untouched


def test_a_card_found_by_tag_that_names_nobody_stops_the_item_for_a_person(
    shop, client_for, fake_saleor, captured_installation
):
    """Same amount, no recipient on record: adopting or creating could both pay the wrong one."""
    reward = _reward(captured_installation, kind="money")
    _release(captured_installation)
    item = OutboxItem.objects.get(reward=reward)
    card = shop.gift_card_create({"input": {
        "balance": {"amount": "10.00", "currency": "USD"}, "isActive": True,
        "addTags": [item.tag],
    }})["giftCardCreate"]["giftCard"]
    run = outbox_process(client_for=client_for, now=RELEASED_AT)
    assert run.failed == [item.pk]
    item.refresh_from_db()
    assert item.status == OutboxStatus.DEAD and card["id"] in item.last_error
    assert len(fake_saleor.calls("gift_card_create")) == 0  # no second card
    assert reward_latest_entry(reward=reward).state == RewardState.ISSUING  # nothing claimed


def test_an_item_from_before_this_release_still_finds_its_own_card_by_its_old_tag(
    shop, client_for, fake_saleor, captured_installation
):
    """Interrupted before the upgrade: its card has the old tag; it is ours (Saleor mailed it to
    our recipient for our amount), so it is adopted rather than paid twice."""
    reward = _reward(captured_installation, kind="money", email="alice@example.com")
    _release(captured_installation)
    item = OutboxItem.objects.get(reward=reward)
    legacy = "rr-" + hashlib.sha256(item.key.encode()).hexdigest()[:32]
    OutboxItem.objects.filter(pk=item.pk).update(tag=legacy)  # as migration 0005 leaves it
    mine = _foreign_card(shop, tag=legacy, email="alice@example.com")
    assert outbox_process(client_for=client_for, now=RELEASED_AT).done == [item.pk]
    assert len(shop.gift_cards) == 1
    assert reward_latest_entry(reward=reward).details["gift_card_id"] == mine["id"]
