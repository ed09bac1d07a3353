"""Referral codes exist in Saleor as voucher codes at the merchant's typed value; deactivated
codes are deleted there; a new value re-prices every code; at 0 codes are shared by link only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plugin.referrals.models import ReferralCode
from plugin.referrals.saleor_sync import referral_code_publish, referral_code_unpublish
from plugin.referrals.services import (
    referral_code_create,
    referral_code_deactivate,
    referral_settings_update,
)
from plugin.referrals.tasks import referral_code_sync_task
from plugin.saleor.fake import FakeSaleor

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    fake = FakeSaleor()
    fake.on(
        "voucher_create",
        lambda v: {
            "voucherCreate": {
                "voucher": {"id": "Vm91Y2hlcjo3Nw==", "code": v["input"]["addCodes"][0]},
                "errors": [],
            }
        },
    )
    fake.on(
        "voucher_delete", lambda v: {"voucherDelete": {"voucher": {"id": v["id"]}, "errors": []}}
    )
    return fake


@pytest.fixture
def tasks_reach_fake(fake, monkeypatch):
    """Background tasks talk to the fake Saleor."""
    monkeypatch.setattr(
        "plugin.referrals.tasks.installation_client",
        lambda *, installation: fake.client(retries=0),
    )


def test_a_new_code_is_published_after_commit_and_once(
    installation, fake, django_capture_on_commit_callbacks, tasks_reach_fake
):
    with django_capture_on_commit_callbacks(execute=True):
        code = referral_code_create(
            installation=installation,
            customer_id="VXNlcjo0Ng==",
            email="alice.referrer@example.com",
            name="Alice",
        )
    code.refresh_from_db()
    assert code.saleor_voucher_id == "Vm91Y2hlcjo3Nw=="
    create, _channels, listing = fake.calls()
    assert create.variables["input"]["addCodes"] == [code.code]
    assert create.variables["input"]["applyOncePerCustomer"] is True
    assert listing.variables["input"]["addChannels"] == [
        {"channelId": "Q2hhbm5lbDox", "discountValue": "5.00"}  # the default typed value
    ]
    assert code.saleor_voucher_percent == Decimal("5")
    referral_code_publish(code=code, client=fake.client())
    assert len(fake.calls()) == 3  # already published: nothing sent

    with django_capture_on_commit_callbacks(execute=True):
        referral_code_deactivate(code=code)
    assert fake.calls()[-1].operation_name == "VoucherDelete"
    assert ReferralCode.objects.get().saleor_voucher_id == ""


def test_a_code_the_merchant_already_has_in_saleor_is_left_alone(installation, fake):
    fake.on(
        "voucher_create",
        lambda v: {
            "voucherCreate": {
                "voucher": None,
                "errors": [
                    {
                        "field": "codes",
                        "code": "ALREADY_EXISTS",
                        "message": "Promo code already exists.",
                    }
                ],
            }
        },
    )
    merchants = {"id": "Vm91Y2hlcjox", "name": "Spring sale", "code": "ALICE-REF"}
    fake.on("vouchers_by_code", data={"vouchers": {"edges": [{"node": merchants}]}})
    code = referral_code_create(
        installation=installation, customer_id="", email="a@example.com", code="ALICE-REF"
    )
    referral_code_publish(code=code, client=fake.client())
    assert code.saleor_voucher_id == "" and len(fake.mutations()) == 1
    assert referral_code_unpublish(code=code, client=fake.client()) is code


def test_sync_task_ignores_uninstalled_shops(installation, fake):
    code = referral_code_create(installation=installation, customer_id="", email="a@example.com")
    installation.is_active = False
    installation.save()
    referral_code_sync_task.run(code_id=code.pk)
    assert fake.requests == []


def test_saleor_refuses_a_voucher_worth_nothing_so_zero_means_link_only(installation, fake):
    refused = fake.client().execute(
        "voucher_channel_listing_update",
        {"id": "Vm91Y2hlcjo3Nw==",
         "input": {"addChannels": [{"channelId": "Q2hhbm5lbDox", "discountValue": "0"}]}},
    )["voucherChannelListingUpdate"]
    assert refused["errors"][0]["code"] == "REQUIRED"
    sent = len(fake.requests)

    referral_settings_update(installation=installation, code_voucher_percent=Decimal("0"))
    code = referral_code_create(installation=installation, customer_id="", email="a@example.com")
    referral_code_publish(code=code, client=fake.client())
    assert len(fake.requests) == sent and code.saleor_voucher_id == ""


def test_a_new_typed_value_reprices_every_active_code_once(
    installation, fake, django_capture_on_commit_callbacks, tasks_reach_fake
):
    with django_capture_on_commit_callbacks(execute=True):
        alice = referral_code_create(installation=installation, customer_id="", email="a@x.com")
        bob = referral_code_create(installation=installation, customer_id="", email="b@x.com")
        gone = referral_code_create(installation=installation, customer_id="", email="c@x.com")
        referral_code_deactivate(code=gone)
    before = len(fake.mutations())

    with django_capture_on_commit_callbacks(execute=True):
        referral_settings_update(installation=installation, code_voucher_percent=Decimal("10"))
    repriced = fake.mutations()[before:]
    assert [m.operation_name for m in repriced] == ["VoucherChannelListingUpdate"] * 2
    assert {m.variables["input"]["addChannels"][0]["discountValue"] for m in repriced} == {"10.00"}
    for code in (alice, bob):
        code.refresh_from_db()
        assert code.saleor_voucher_percent == Decimal("10")

    with django_capture_on_commit_callbacks(execute=True):
        referral_settings_update(installation=installation, code_voucher_percent=Decimal("10"))
    assert len(fake.mutations()) == before + 2  # same value: nothing sent

    with django_capture_on_commit_callbacks(execute=True):
        referral_settings_update(installation=installation, code_voucher_percent=Decimal("0"))
    assert [m.operation_name for m in fake.mutations()[before + 2:]] == ["VoucherDelete"] * 2
    assert set(ReferralCode.objects.values_list("saleor_voucher_id", flat=True)) == {""}


def test_a_code_voucher_whose_answer_was_lost_is_found_and_kept(installation, fake_saleor):
    from plugin.saleor.fake_rewards import RewardsSaleorState

    shop = RewardsSaleorState().install(fake_saleor)
    code = referral_code_create(
        installation=installation, customer_id="", email="a@example.com", code="ALICE-REF"
    )
    fake_saleor.fail_next(1, lost_answer=True, operation="voucher_create")
    referral_code_publish(code=code, client=fake_saleor.client())
    (voucher,) = shop.vouchers.values()  # one voucher: the resend answered ALREADY_EXISTS
    assert code.saleor_voucher_id == voucher["id"]  # ours, so deactivating will delete it
    assert voucher["channelListings"]
