"""Building order histories for segment tests: paid orders recorded as the order webhooks record
them (`customer_order_record`), and referrals through a referrer's code."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.services import customer_order_record

START = datetime(2026, 1, 1, 12, tzinfo=UTC)
_ids = itertools.count(1)


def order(shop, email: str, *, day: int, total: str = "10", currency: str = "USD",
          status: str = "paid", order_id: str | None = None) -> CustomerOrder:
    """A paid (or `status`) order of `email`, `day` days after START."""
    when = START + timedelta(days=day)
    order_id = order_id or f"T3JkZXI6{next(_ids)}"
    return customer_order_record(installation=shop, status=status, at=when, order_payload={
        "id": order_id, "userEmail": email, "isPaid": status != "created",
        "created": when.isoformat(),
        "channel": {"slug": "default-channel", "currencyCode": currency},
        "total": {"gross": {"amount": float(Decimal(total)), "currency": currency}}})


def code_of(shop, referrer: str) -> ReferralCode:
    found = ReferralCode.objects.filter(installation=shop, owner_email=referrer).first()
    return found or ReferralCode.objects.create(
        installation=shop, code=f"SEG-{next(_ids):05d}", owner_email=referrer)


def referred_order(shop, *, referrer: str, referee: str, day: int, total: str = "10",
                   status: str = "paid", currency: str = "USD") -> CustomerOrder:
    """A friend's order through `referrer`'s code: the referral is stored first, as attribution
    does, then the order (which converts it once paid)."""
    order_id = f"T3JkZXI6{next(_ids)}"
    Referral.objects.create(
        installation=shop, code=code_of(shop, referrer), referrer_email=referrer,
        referee_email=referee, source=Referral.Source.VOUCHER, order_id=order_id,
        created=START + timedelta(days=day))
    return order(shop, referee, day=day, total=total, currency=currency, status=status,
                 order_id=order_id)
