"""Existing outbox items keep the tag they were made with, so one interrupted before this release
still finds its gift card (now checked against the reward before it is trusted). Voucher codes
that were computed from ids are recorded and flagged for rotation.

Runs offline, as migrations must: nothing here calls Saleor. `manage.py rewards_rotate_codes`
and the periodic task replace the flagged codes that are still unused in Saleor, tell the
customer and audit it; used codes are left alone.
"""

import hashlib

from django.db import migrations

ROTATE = "rotate"
ACTIVE = "active"


def _legacy_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _legacy_code(key: str) -> str:
    """The computable code of the earlier scheme (kept here only to recognise it)."""
    digest = _legacy_digest(key).upper()
    return f"PTS-{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


def _legacy_tag(key: str) -> str:
    return "rr-" + _legacy_digest(key)[:32]


def _code_owner(item, Reward, PointsEntry) -> tuple[bool, str]:
    """Whether the item's code is the computable one, and whom to tell when it changes."""
    code = item.payload["code"]
    if item.reward_id is not None:
        reward = Reward.objects.filter(pk=item.reward_id).first()
        derived = code == _legacy_code(f"reward:{item.installation_id}:{item.reward_id}")
        return derived, reward.recipient_email if reward else ""
    if item.key.startswith("voucher:"):
        redeem_key = item.key.removeprefix("voucher:")
        entry = PointsEntry.objects.filter(
            installation_id=item.installation_id, key=redeem_key
        ).first()
        return code == _legacy_code(redeem_key), entry.email if entry else ""
    return False, ""


def forwards(apps, schema_editor):
    OutboxItem = apps.get_model("rewards", "OutboxItem")
    RedemptionCode = apps.get_model("rewards", "RedemptionCode")
    Reward = apps.get_model("rewards", "Reward")
    PointsEntry = apps.get_model("rewards", "PointsEntry")
    for item in OutboxItem.objects.order_by("id").iterator():
        item.tag = _legacy_tag(item.key)
        item.save(update_fields=["tag"])
        code = (item.payload or {}).get("code") if item.action == "voucher_issue" else None
        if not code:
            continue
        derived, email = _code_owner(item, Reward, PointsEntry)
        RedemptionCode.objects.get_or_create(
            installation_id=item.installation_id,
            code=code,
            defaults={
                "reward_id": item.reward_id,
                "email": email,
                "status": ROTATE if derived else ACTIVE,
                "derived": derived,
                "saleor_voucher_id": (item.result or {}).get("voucher_id", ""),
                "note": "computable from ids: to be replaced" if derived else "",
                "created_at": item.created_at,
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("rewards", "0004_redemption_codes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
