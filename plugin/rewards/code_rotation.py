"""Replaces voucher codes that anyone could compute (flagged by a migration) while still unused.

One code at a time, every step idempotent, progress kept on the code rows and Saleor re-read on
each run, so a run killed anywhere is finished by the next:
1. the replacement is drawn and stored before Saleor hears of it;
2. Saleor's voucher is read: gone, or the old code already spent → left alone, recorded;
3. the old code is taken off the voucher (a stranger who computed it gets nothing);
4. the new code is added to the same voucher (same value, channels and expiry);
5. recorded: a ledger entry for a reward, the merchant's audit log, and the customer told once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from plugin.messages.services import message_send
from plugin.programs.actors import SystemActor
from plugin.programs.services import audit_record
from plugin.referrals.codes import secret_code
from plugin.rewards.codes import POINTS_PREFIX, REWARD_PREFIX, redemption_code_new
from plugin.rewards.models import CodeStatus, EntryAction, RedemptionCode
from plugin.rewards.selectors import reward_latest_entry
from plugin.rewards.services import reward_transition
from plugin.rewards.voucher_issue import voucher_codes
from plugin.saleor.errors import SaleorMutationError

log = logging.getLogger("plugin.rewards.codes")

ROTATED, USED, GONE, WAITING = "rotated", "used", "gone", "waiting"


@dataclass
class RotationRun:
    """What one pass did, by outcome: code row ids."""

    rotated: list[int] = field(default_factory=list)
    used: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)  # not in Saleor yet: the outbox goes first
    failed: list[int] = field(default_factory=list)


def redemption_codes_rotate(
    *, client_for: Callable[[Any], Any], now: datetime, installation=None, limit: int = 200
) -> RotationRun:
    """Work every code flagged for rotation; one code's trouble never stops the others."""
    run = RotationRun()
    flagged = RedemptionCode.objects.filter(status=CodeStatus.ROTATE)
    if installation is not None:
        flagged = flagged.filter(installation=installation)
    for code in list(flagged.select_related("installation", "reward").order_by("id")[:limit]):
        try:
            outcome = redemption_code_rotate(
                code=code, client=client_for(code.installation), now=now
            )
        except Exception:  # retried on the next pass, from what Saleor then says
            log.exception("rotating voucher code %s failed", code.pk)
            run.failed.append(code.pk)
            continue
        getattr(run, outcome).append(code.pk)
    return run


def redemption_code_rotate(*, code: RedemptionCode, client, now: datetime) -> str:
    """Replace one flagged code in Saleor; returns what happened (rotated, used, gone, waiting)."""
    if not code.saleor_voucher_id:
        return WAITING
    new = _replacement(code=code, now=now)
    voucher = (client.execute("voucher_get", {"id": code.saleor_voucher_id}) or {}).get("voucher")
    if voucher is None:
        return _close(code=code, new=new, outcome=GONE, note="voucher deleted in Saleor", now=now)
    nodes = {node["code"]: node for node in voucher_codes(voucher)}
    old_node = nodes.get(code.code)
    if new.code not in nodes:
        if old_node is not None and _spent(old_node):
            return _close(code=code, new=new, outcome=USED, note="already used", now=now)
        if old_node is None and code.removed_at is None:  # not by us: someone meant it gone
            return _close(code=code, new=new, outcome=GONE, note="code removed in Saleor", now=now)
    if old_node is not None and not _spent(old_node):
        client.execute_mutation(
            "voucher_code_delete", {"ids": [old_node["id"]]}, "voucherCodeBulkDelete"
        )
        RedemptionCode.objects.filter(pk=code.pk).update(removed_at=now)
    if new.code not in nodes:
        _code_add(client=client, voucher_id=voucher["id"], new=new)
    _record(code=code, new=new, voucher_id=voucher["id"], now=now)
    return ROTATED


def _spent(node: dict[str, Any]) -> bool:
    """Saleor marks a single-use code inactive once an order used it."""
    return (node.get("used") or 0) > 0 or node.get("isActive") is False


def _replacement(*, code: RedemptionCode, now: datetime) -> RedemptionCode:
    """The stored new code (drawn on the first run only, so retries send the same one)."""
    with transaction.atomic():
        locked = RedemptionCode.objects.select_for_update().get(pk=code.pk)
        if locked.replaced_by_id is not None:
            return RedemptionCode.objects.get(pk=locked.replaced_by_id)
        new = redemption_code_new(
            installation=code.installation,
            prefix=REWARD_PREFIX if code.reward_id else POINTS_PREFIX,
            reward=code.reward,
            email=code.email,
            now=now,
        )
        locked.replaced_by = new
        locked.save(update_fields=["replaced_by"])
        code.replaced_by = new
        return new


def _code_add(*, client, voucher_id: str, new: RedemptionCode) -> None:
    """Add the new code; one Saleor already has elsewhere is drawn again (never shared)."""
    for _ in range(3):
        try:
            client.execute_mutation(
                "voucher_add_codes", {"id": voucher_id, "codes": [new.code]}, "voucherUpdate"
            )
            return
        except SaleorMutationError as error:
            if "ALREADY_EXISTS" not in error.codes:
                raise
        prefix = new.code.split("-", 1)[0]
        try:
            with transaction.atomic():  # it never reached Saleor: changing it hides nothing
                new.code = secret_code(prefix=prefix)
                new.save(update_fields=["code"])
        except IntegrityError:
            new.refresh_from_db()
    raise RuntimeError("Saleor refused three fresh voucher codes in a row")


def _close(
    *, code: RedemptionCode, new: RedemptionCode, outcome: str, note: str, now: datetime
) -> str:
    """Nothing to replace: the old code is recorded as it stands, the unused replacement retired."""
    with transaction.atomic():
        RedemptionCode.objects.filter(pk=new.pk).update(
            status=CodeStatus.RETIRED, note="not needed: " + note, changed_at=now
        )
        RedemptionCode.objects.filter(pk=code.pk).update(
            status=CodeStatus.USED if outcome == USED else CodeStatus.RETIRED,
            note=note,
            changed_at=now,
        )
        _audit(code=code, new=None, outcome=outcome, note=note, voucher_id=code.saleor_voucher_id)
    return outcome


def _record(*, code: RedemptionCode, new: RedemptionCode, voucher_id: str, now: datetime) -> None:
    """The old code retired, the new one live; ledger, audit log and the customer's e-mail."""
    with transaction.atomic():
        retired = RedemptionCode.objects.filter(pk=code.pk, status=CodeStatus.ROTATE).update(
            status=CodeStatus.RETIRED, note="replaced: it was computable", changed_at=now
        )
        if not retired:
            return  # another run recorded it a moment ago
        RedemptionCode.objects.filter(pk=new.pk).update(saleor_voucher_id=voucher_id)
        if code.reward is not None:
            _ledger_note(code=code, new=new, now=now)
        _audit(code=code, new=new, outcome=ROTATED, note="", voucher_id=voucher_id)
        _tell(code=code, new=new)


def _ledger_note(*, code: RedemptionCode, new: RedemptionCode, now: datetime) -> None:
    latest = reward_latest_entry(reward=code.reward)
    if latest is None:
        return
    reward_transition(
        reward=code.reward,
        from_states=[latest.state],
        action=EntryAction.CODE_CHANGED,
        state=latest.state,
        now=now,
        cause_event="CODE_ROTATION",
        cause_id=str(code.pk),
        reason="voucher code replaced: the old one could be computed by others",
        details={**latest.details, "code": new.code, "previous_code": code.code},
    )


def _audit(
    *, code: RedemptionCode, new: RedemptionCode | None, outcome: str, note: str, voucher_id: str
) -> None:
    details = {"outcome": outcome, "old_code": code.code, "voucher_id": voucher_id}
    if new is not None:
        details["new_code_ends"] = new.code[-4:]  # the live code stays out of the log
    if note:
        details["note"] = note
    if code.reward_id:
        details["reward_id"] = code.reward_id
    audit_record(
        installation=code.installation,
        actor=SystemActor(),
        action="voucher_code_rotated" if new is not None else "voucher_code_left",
        object_type="redemption_code",
        object_id=code.pk,
        details=details,
    )


def _tell(*, code: RedemptionCode, new: RedemptionCode) -> None:
    message_send(
        installation=code.installation,
        key=f"code_changed:{code.pk}",
        template="voucher_code_changed",
        to=code.email,
        context={"code": new.code, "old_code_ends": code.code[-4:]},
    )
