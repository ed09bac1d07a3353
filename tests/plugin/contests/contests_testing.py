"""Builders for contest and playbook tests: a published program and referral history rows made
through the app's own services, in the shapes the order webhooks leave behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from plugin.programs import services as programs
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.services import customer_order_record


@dataclass(frozen=True)
class Staff:
    user_id: str = "VXNlcjox"
    email: str = "owner@shop.example.com"


def publish(installation, source: str):
    program = programs.program_get_or_create(installation=installation)
    programs.program_save_draft(program=program, source=source, actor=Staff())
    return programs.program_publish(program=program, actor=Staff())


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


_counter = iter(range(1, 1_000_000))


def code_of(installation, referrer: str, name: str = "") -> ReferralCode:
    found = ReferralCode.objects.filter(installation=installation, owner_email=referrer).first()
    return found or ReferralCode.objects.create(
        installation=installation, code=f"REF-{next(_counter):05d}", owner_email=referrer,
        owner_customer_id=f"user-{referrer}", leaderboard_name=name,
    )


def referred_order(installation, *, referrer: str, referee: str, total: str, paid: datetime,
                   status: str = "paid", referral_status: str = Referral.Status.ATTRIBUTED,
                   currency: str = "USD") -> CustomerOrder:
    """A friend's order through the referrer's code, recorded as the order webhooks do."""
    order_id = f"T3JkZXI6{next(_counter)}"
    Referral.objects.create(
        installation=installation, code=code_of(installation, referrer), referrer_email=referrer,
        referrer_id=f"user-{referrer}", referee_email=referee, source=Referral.Source.VOUCHER,
        order_id=order_id, status=referral_status, created=paid,
    )
    payload = {
        "id": order_id, "number": order_id[-4:], "userEmail": referee, "created": paid.isoformat(),
        "isPaid": status != "created", "channel": {"slug": "default-channel",
                                                  "currencyCode": currency},
        "total": {"gross": {"amount": float(Decimal(total)), "currency": currency}},
    }
    return customer_order_record(installation=installation, order_payload=payload,
                                 status=status, at=paid)
