"""Codes an earlier release computed from ids: flagged by the migration, replaced in Saleor while
unused (old code off, new random code on the same voucher), customer told, audited, once."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from rewards_testing import T0

from plugin.programs.models import AuditLog
from plugin.rewards.lifecycle import order_rewards_reconcile, order_track_update, rewards_release
from plugin.rewards.models import CodeStatus, EntryAction, OutboxItem, RedemptionCode, RewardState
from plugin.rewards.outbox import outbox_process
from plugin.rewards.selectors import reward_latest_entry, reward_view
from plugin.rewards.services import points_redeem

pytestmark = pytest.mark.django_db

RELEASED_AT = T0 + timedelta(seconds=1)
flag_derived_codes = importlib.import_module(
    "plugin.rewards.migrations.0005_rotate_derived_codes"
).forwards


def _old_scheme(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest().upper()
    return f"PTS-{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


def _as_the_earlier_release_did(item: OutboxItem, code: str) -> None:
    """The item carries the computable code, and no code row exists (the table is new)."""
    drawn = item.payload["code"]
    RedemptionCode.objects.filter(installation=item.installation, code=drawn).delete()
    OutboxItem.objects.filter(pk=item.pk).update(payload={**item.payload, "code": code})


@pytest.fixture
def old_voucher(make_reward, shop, client_for, captured_installation):
    """A 10 USD voucher reward issued by the earlier release, under its computable code."""
    reward = make_reward(kind="voucher", voucher_type="fixed", hold_after="payment")
    order_track_update(installation=captured_installation, order_id=reward.order_id,
                       currency="USD", total=Decimal("84.99"), paid_at=T0)
    order_rewards_reconcile(installation=captured_installation, order_id=reward.order_id, now=T0)
    assert rewards_release(installation=captured_installation, now=RELEASED_AT) == [reward]
    computable = _old_scheme(f"reward:{captured_installation.pk}:{reward.pk}")
    _as_the_earlier_release_did(OutboxItem.objects.get(reward=reward), computable)
    assert outbox_process(client_for=client_for, now=RELEASED_AT).done
    (voucher,) = shop.vouchers.values()
    assert shop._codes(voucher) == [computable]
    flag_derived_codes(apps, None)
    mail.outbox = []
    return reward, computable, voucher["id"]


def _rotate() -> str:
    out = StringIO()
    call_command("rewards_rotate_codes", stdout=out)
    return out.getvalue().strip()


def test_migration_flags_only_the_computable_codes(old_voucher, make_reward, captured_installation):
    reward, computable, voucher_id = old_voucher
    flagged = RedemptionCode.objects.get(code=computable)
    assert (flagged.status, flagged.derived, flagged.reward, flagged.saleor_voucher_id) == (
        CodeStatus.ROTATE, True, reward, voucher_id)
    assert flagged.email == "alice.referrer@example.com"
    fresh = make_reward(kind="voucher", voucher_type="fixed", order_id="order-2",
                        hold_after="payment")
    order_track_update(installation=captured_installation, order_id="order-2", currency="USD",
                       total=Decimal("50"), paid_at=T0)
    order_rewards_reconcile(installation=captured_installation, order_id="order-2", now=T0)
    rewards_release(installation=captured_installation, now=RELEASED_AT)
    flag_derived_codes(apps, None)  # a second run of the same migration changes nothing
    random_one = RedemptionCode.objects.get(reward=fresh)
    assert (random_one.status, random_one.derived) == (CodeStatus.ACTIVE, False)
    assert RedemptionCode.objects.filter(status=CodeStatus.ROTATE).count() == 1


def test_rotation_replaces_the_code_tells_the_customer_and_audits_once(
    old_voucher, shop, fake_saleor, django_capture_on_commit_callbacks
):
    reward, computable, voucher_id = old_voucher
    with django_capture_on_commit_callbacks(execute=True):
        assert _rotate() == "rotated 1, used 0, gone 0, waiting 0, failed 0"

    new = RedemptionCode.objects.get(replaces__code=computable)
    voucher = shop.vouchers[voucher_id]  # the same voucher: value and channel stay as they were
    assert shop._codes(voucher) == [new.code]
    assert [listing["discountValue"] for listing in voucher["channelListings"]] == [10.0]
    assert new.code.startswith("RW-") and new.status == CodeStatus.ACTIVE
    assert new.saleor_voucher_id == voucher_id
    assert RedemptionCode.objects.get(code=computable).status == CodeStatus.RETIRED

    (letter,) = mail.outbox
    assert letter.to == ["alice.referrer@example.com"]
    # reads right with the default shop name too ("Your our shop voucher" did not)
    assert letter.subject == "Your voucher from our shop has a new code"
    assert new.code in letter.body and computable not in letter.body
    assert computable[-4:] in letter.body  # "the old code ending …" so they know which

    latest = reward_latest_entry(reward=reward)
    assert (latest.action, latest.state) == (EntryAction.CODE_CHANGED, RewardState.ISSUED)
    assert latest.details["code"] == new.code and latest.details["previous_code"] == computable
    assert reward_view(reward=reward).details["code"] == new.code
    (audit,) = AuditLog.objects.filter(action="voucher_code_rotated")
    assert audit.details["old_code"] == computable
    assert audit.details["new_code_ends"] == new.code[-4:] and new.code not in str(audit.details)

    mutations = len(fake_saleor.mutations())
    with django_capture_on_commit_callbacks(execute=True):
        assert _rotate() == "rotated 0, used 0, gone 0, waiting 0, failed 0"
    assert len(fake_saleor.mutations()) == mutations and len(mail.outbox) == 1
    assert AuditLog.objects.filter(action="voucher_code_rotated").count() == 1


def test_rotation_interrupted_between_its_steps_finishes_once(
    old_voucher, shop, fake_saleor, django_capture_on_commit_callbacks
):
    reward, computable, voucher_id = old_voucher
    fake_saleor.fail_next(1, status=503, operation="voucher_add_codes")
    with django_capture_on_commit_callbacks(execute=True):
        assert _rotate() == "rotated 0, used 0, gone 0, waiting 0, failed 1"
    assert shop._codes(shop.vouchers[voucher_id]) == []  # the old code is off already
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert _rotate() == "rotated 1, used 0, gone 0, waiting 0, failed 0"
    new = RedemptionCode.objects.get(replaces__code=computable)
    assert shop._codes(shop.vouchers[voucher_id]) == [new.code]  # the code stored at first
    assert len(fake_saleor.calls("voucher_add_codes")) == 2  # the failed one and this one
    assert len(mail.outbox) == 1
    assert reward_latest_entry(reward=reward).details["code"] == new.code


def test_a_used_code_is_left_alone(
    old_voucher, shop, fake_saleor, django_capture_on_commit_callbacks
):
    reward, computable, voucher_id = old_voucher
    shop.use_code(computable)  # the customer already spent it
    mutations = len(fake_saleor.mutations())
    with django_capture_on_commit_callbacks(execute=True):
        assert _rotate() == "rotated 0, used 1, gone 0, waiting 0, failed 0"
    assert len(fake_saleor.mutations()) == mutations
    assert shop._codes(shop.vouchers[voucher_id]) == [computable]
    assert RedemptionCode.objects.get(code=computable).status == CodeStatus.USED
    assert not RedemptionCode.objects.filter(status=CodeStatus.ACTIVE, reward=reward).exists()
    assert mail.outbox == []
    assert reward_latest_entry(reward=reward).action == EntryAction.ISSUED
    assert AuditLog.objects.get(action="voucher_code_left").details["outcome"] == "used"


def test_a_points_code_waits_for_its_voucher_then_is_replaced(
    make_reward, shop, client_for, captured_installation, django_capture_on_commit_callbacks
):
    points = make_reward(kind="points", amount=None, points=500, hold_after="payment")
    order_track_update(installation=captured_installation, order_id=points.order_id,
                       currency="USD", total=Decimal("84.99"), paid_at=T0)
    order_rewards_reconcile(installation=captured_installation, order_id=points.order_id, now=T0)
    rewards_release(installation=captured_installation, now=RELEASED_AT)
    points_redeem(installation=captured_installation, customer_id="VXNlcjo0Ng==",
                  email="alice.referrer@example.com", points=300, now=RELEASED_AT)
    item = OutboxItem.objects.get(action="voucher_issue")
    computable = _old_scheme(item.key.removeprefix("voucher:"))
    _as_the_earlier_release_did(item, computable)
    flag_derived_codes(apps, None)  # upgraded while Saleor had not been asked yet

    assert _rotate() == "rotated 0, used 0, gone 0, waiting 1, failed 0"
    outbox_process(client_for=client_for, now=RELEASED_AT)
    (voucher,) = shop.vouchers.values()
    with django_capture_on_commit_callbacks(execute=True):
        assert _rotate() == "rotated 1, used 0, gone 0, waiting 0, failed 0"
    new = RedemptionCode.objects.get(replaces__code=computable)
    assert new.code.startswith("PTS-") and len(new.code) > len(computable)
    assert shop._codes(voucher) == [new.code]
    (letter,) = mail.outbox
    assert letter.to == ["alice.referrer@example.com"] and new.code in letter.body
