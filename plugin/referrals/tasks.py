"""Background work of the referral side: mirror codes into Saleor as voucher codes."""

from __future__ import annotations

from celery import shared_task

from plugin.install.models import Installation
from plugin.install.services import installation_client
from plugin.referrals.models import ReferralCode
from plugin.referrals.saleor_sync import (
    referral_code_publish,
    referral_code_unpublish,
    referral_codes_resync,
)
from plugin.tasks import task_enqueue


@shared_task(
    name="referrals.code_sync", autoretry_for=(Exception,), retry_backoff=10, max_retries=5
)
def referral_code_sync_task(code_id: int) -> None:
    """Publish an active code, or unpublish an inactive one, in its installation's Saleor."""

    code = ReferralCode.objects.select_related("installation").filter(pk=code_id).first()
    if code is None or not code.installation.is_active:
        return
    client = installation_client(installation=code.installation)
    if code.active:
        referral_code_publish(code=code, client=client)
    else:
        referral_code_unpublish(code=code, client=client)


@shared_task(
    name="referrals.codes_resync", autoretry_for=(Exception,), retry_backoff=10, max_retries=5
)
def referral_codes_resync_task(installation_id: int) -> None:
    """Bring every active code's voucher to the merchant's new typed value (resumable)."""

    installation = Installation.objects.filter(pk=installation_id, is_active=True).first()
    if installation is None:
        return
    referral_codes_resync(installation=installation,
                          client=installation_client(installation=installation))


def code_sync_later(*, code_id: int, **_signal) -> None:
    """`code_changed` → the sync task, once the transaction commits."""
    task_enqueue(referral_code_sync_task, code_id=code_id)


def codes_resync_later(*, installation_id: int, **_signal) -> None:
    """`code_value_changed` → the re-pricing task, once the transaction commits."""
    task_enqueue(referral_codes_resync_task, installation_id=installation_id)
