"""Referral codes exist in Saleor as voucher codes; deactivated codes are deleted there."""

from __future__ import annotations

import pytest

from plugin.referrals.models import ReferralCode
from plugin.referrals.saleor_sync import referral_code_publish, referral_code_unpublish
from plugin.referrals.services import referral_code_create, referral_code_deactivate
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
        "voucher_channel_listing_update",
        lambda v: {"voucherChannelListingUpdate": {"voucher": {"id": v["id"]}, "errors": []}},
    )
    fake.on(
        "voucher_delete", lambda v: {"voucherDelete": {"voucher": {"id": v["id"]}, "errors": []}}
    )
    return fake


def test_a_new_code_is_published_after_commit_and_once(
    installation, fake, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        "plugin.install.services.installation_client",
        lambda *, installation: fake.client(retries=0),
    )
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
    assert listing.variables["input"]["addChannels"] == [
        {"channelId": "Q2hhbm5lbDox", "discountValue": "0"}
    ]
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
