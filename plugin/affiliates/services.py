"""Writes for partners: create and change a partner, give them codes, attribute an order to the
partner whose code it carries, and link a commission reward to its partner."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from plugin.affiliates.models import (
    Commission,
    Partner,
    PartnerCode,
    PartnerOrder,
    PartnerVisit,
)
from plugin.affiliates.programs import commission_program_check, default_program
from plugin.referrals.codes import code_prefix
from plugin.rewards.codes import redemption_code_new
from plugin.rewards.models import CodeStatus, RedemptionCode, Reward

PARTNER_PREFIX_FALLBACK = "PARTNER"


class PartnerError(ValueError):
    """A change to a partner that cannot be made as asked; `status` is the HTTP answer."""

    def __init__(self, reason: str, status: int = 400, **extra) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.extra = extra


def _program_checked(source: str) -> str:
    diagnostics = commission_program_check(source)
    if any(d["severity"] == "error" for d in diagnostics):
        raise PartnerError("the commission program has errors", diagnostics=diagnostics)
    return source


def partner_create(*, installation, name: str, email: str, kind: str = Partner.Kind.BLOGGER,
                   program_source: str | None = None, now: datetime) -> Partner:
    """A new partner with the ready commission program unless another is given, and one code."""
    name, address = name.strip(), email.strip().lower()  # deliverable, as typed
    if not name or "@" not in address:
        raise PartnerError("a partner needs a name and an e-mail address")
    if kind not in Partner.Kind.values:
        raise PartnerError(f"kind is one of {', '.join(Partner.Kind.values)}")
    source = _program_checked(program_source or default_program())
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                installation=installation, name=name[:120], email=address, kind=kind,
                program_source=source, created_at=now, updated_at=now)
            partner_code_create(partner=partner, now=now)
    except IntegrityError as exc:
        raise PartnerError(f"{address} is already a partner", status=409) from exc
    return partner


def partner_update(*, partner: Partner, now: datetime, name: str | None = None,
                   program_source: str | None = None, active: bool | None = None) -> list[str]:
    """Change what is given; returns the names of the fields that changed."""
    changed = []
    if name is not None and name.strip() and name.strip() != partner.name:
        partner.name, changed = name.strip()[:120], [*changed, "name"]
    if program_source is not None and program_source != partner.program_source:
        partner.program_source = _program_checked(program_source)
        changed.append("program_source")
    if active is not None and active != partner.active:
        partner.active, changed = active, [*changed, "active"]
    if changed:
        partner.updated_at = now
        partner.save(update_fields=[*changed, "updated_at"])
    return changed


def partner_code_create(*, partner: Partner, now: datetime, label: str = "") -> PartnerCode:
    """A fresh random code (a redemption code: all from `secrets`, unique in the shop)."""
    prefix = code_prefix(name=partner.name, email=None)
    if prefix == "REF":
        prefix = PARTNER_PREFIX_FALLBACK
    with transaction.atomic():
        secret = redemption_code_new(installation=partner.installation, prefix=prefix,
                                     email=partner.email, now=now)
        return PartnerCode.objects.create(
            installation=partner.installation, partner=partner, redemption_code=secret,
            code=secret.code, label=label.strip()[:80], created_at=now)


def partner_code_deactivate(*, code: PartnerCode, now: datetime) -> None:
    """The code stops bringing attributions; orders it already brought stay the partner's."""
    with transaction.atomic():
        PartnerCode.objects.filter(pk=code.pk).update(active=False)
        RedemptionCode.objects.filter(pk=code.redemption_code_id).update(
            status=CodeStatus.RETIRED, changed_at=now)
    code.active = False


def partner_visit_record(*, code: PartnerCode, visitor_key: str, via: str,
                         now: datetime) -> None:
    """A visitor's first opening of the link on a day counts; later ones do not."""
    PartnerVisit.objects.bulk_create([PartnerVisit(
        installation_id=code.installation_id, code=code, visitor_key=visitor_key,
        via=via if via in ("link", "qr") else "link", created_at=now)], ignore_conflicts=True)


def partner_order_attribute(*, installation, code: PartnerCode, order: dict, source: str,
                            total: Decimal, ordered_at: datetime) -> PartnerOrder:
    """The order's partner, recorded once: the first code that named it keeps it."""
    PartnerOrder.objects.bulk_create([PartnerOrder(
        installation=installation, partner_id=code.partner_id, code=code,
        order_id=order["id"], order_number=str(order.get("number") or ""), source=source,
        currency=((order.get("total") or {}).get("currency") or ""), total=total,
        ordered_at=ordered_at)], ignore_conflicts=True)
    return PartnerOrder.objects.select_related("partner").get(
        installation=installation, order_id=order["id"])


def commission_link(*, partner_order: PartnerOrder, reward_key: str) -> Commission | None:
    """Tie the ledger reward recorded under `reward_key` to the order's partner (once)."""
    reward = Reward.objects.filter(installation_id=partner_order.installation_id,
                                   key=reward_key).first()
    if reward is None:
        return None
    commission, _ = Commission.objects.get_or_create(
        reward=reward, defaults={"partner_id": partner_order.partner_id, "order": partner_order})
    return commission
