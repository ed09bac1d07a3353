"""Redeemable voucher codes: drawn from `secrets`, unique per installation, stored before use.

Exactly-once comes from the stored code (a retry sends the same one), never from deriving it:
a code computed from ids is a code a stranger can compute too.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from plugin.referrals.codes import secret_code
from plugin.rewards.models import CodeStatus, OutboxItem, RedemptionCode, Reward

REWARD_PREFIX = "RW"  # program rewards, win-back offers, contest prizes
POINTS_PREFIX = "PTS"  # points spent for a voucher
_DRAWS = 5  # a repeat of 77 random bits is not expected in the life of the universe; still


class CodeUnavailable(RuntimeError):
    """Every draw collided: something is wrong with the random source, not bad luck."""


def redemption_code_new(
    *, installation, prefix: str, now: datetime, reward: Reward | None = None, email: str = ""
) -> RedemptionCode:
    """A fresh random code, stored; a code this installation already has is drawn again."""
    for _ in range(_DRAWS):
        try:
            with transaction.atomic():
                return RedemptionCode.objects.create(
                    installation=installation,
                    code=secret_code(prefix=prefix),
                    reward=reward,
                    email=email,
                    created_at=now,
                )
        except IntegrityError:
            continue
    raise CodeUnavailable(f"no unused voucher code after {_DRAWS} draws")


def reward_code_get(*, reward: Reward, now: datetime) -> RedemptionCode:
    """The reward's voucher code, chosen now if it has none yet; later calls get the same one."""
    with transaction.atomic():
        Reward.objects.select_for_update().filter(pk=reward.pk).first()  # one code per reward
        found = (
            reward.codes.filter(status__in=[CodeStatus.ACTIVE, CodeStatus.ROTATE])
            .order_by("-id")
            .first()
        )
        if found is not None:
            return found
        return redemption_code_new(
            installation=reward.installation,
            prefix=REWARD_PREFIX,
            reward=reward,
            email=reward.recipient_email,
            now=now,
        )


def redemption_code_replace(*, item: OutboxItem, now: datetime, note: str) -> str:
    """Saleor has the item's code on a voucher that is not ours: a fresh code takes its place on
    the item (before Saleor is asked again) and in the code table; returns the new code."""
    old_code = item.payload["code"]
    with transaction.atomic():
        old = (
            RedemptionCode.objects.select_for_update()
            .filter(installation_id=item.installation_id, code=old_code)
            .first()
        )
        prefix = old_code.split("-", 1)[0] or REWARD_PREFIX
        new = redemption_code_new(
            installation=item.installation,
            prefix=prefix,
            reward=old.reward if old else item.reward,
            email=old.email if old else item.payload.get("email", ""),
            now=now,
        )
        if old is not None:
            old.status = CodeStatus.RETIRED
            old.replaced_by = new
            old.note = note[:255]
            old.changed_at = now
            old.save(update_fields=["status", "replaced_by", "note", "changed_at"])
        item.payload = {**item.payload, "code": new.code}
        OutboxItem.objects.filter(pk=item.pk).update(payload=item.payload)
    return new.code


def redemption_code_issued(*, installation, code: str, voucher_id: str) -> None:
    """Remember which Saleor voucher carries the code (what a later rotation changes)."""
    RedemptionCode.objects.filter(
        installation=installation, code=code, saleor_voucher_id=""
    ).update(saleor_voucher_id=voucher_id)
