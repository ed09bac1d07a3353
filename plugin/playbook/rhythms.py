"""Each customer's own buying rhythm from their paid orders: the median gap between orders,
periods missed since the last one, the predicted next order and the average order value.

The same arithmetic as `customer_facts` (which programs see), over every customer at once.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from plugin.referrals.models import CustomerOrder
from rules.facts import periods_missed


@dataclass(frozen=True, slots=True)
class Rhythm:
    email: str
    customer_id: str
    orders: int
    usual_interval: timedelta  # median gap between consecutive paid orders
    last_order_at: datetime
    last_order_id: str
    last_channel: str
    currency: str
    average_order: Decimal  # in `currency`
    periods_missed: int  # whole usual intervals since the last order, as of `now`

    @property
    def next_order_at(self) -> datetime:
        return self.last_order_at + self.usual_interval

    def is_asleep(self, periods: int) -> bool:
        return self.periods_missed >= periods


def rhythm_of(*, email: str, orders: list[tuple[datetime, Decimal, str, str, str, str]],
              now: datetime) -> Rhythm | None:
    """A rhythm from (paid_at, total, currency, order id, customer id, channel) rows, oldest
    first; None with fewer than two orders or no time between them."""
    if len(orders) < 2:
        return None
    times = [row[0] for row in orders]
    interval = statistics.median([b - a for a, b in itertools.pairwise(times)])
    if interval <= timedelta(0):
        return None
    last = orders[-1]
    same_currency = [row[1] for row in orders if row[2] == last[2]]
    return Rhythm(
        email=email,
        customer_id=next((row[4] for row in reversed(orders) if row[4]), ""),
        orders=len(orders),
        usual_interval=interval,
        last_order_at=last[0],
        last_order_id=last[3],
        last_channel=last[5],
        currency=last[2],
        average_order=sum(same_currency, Decimal(0)) / len(same_currency),
        periods_missed=periods_missed(now - last[0], interval),
    )


def customer_rhythms(*, installation: Any, now: datetime, email: str | None = None
                     ) -> Iterator[Rhythm]:
    """The rhythm of every customer with at least two paid, kept orders before `now`."""
    rows = (
        CustomerOrder.objects.filter(installation=installation, paid_at__isnull=False,
                                     paid_at__lte=now)
        .exclude(status__in=(CustomerOrder.Status.CANCELLED, CustomerOrder.Status.REFUNDED))
        .exclude(email="")
    )
    if email is not None:
        rows = rows.filter(email=email)
    ordered = rows.order_by("email", "paid_at").values_list(
        "email", "paid_at", "total", "currency", "order_id", "customer_id", "channel"
    )
    for who, group in itertools.groupby(ordered.iterator(chunk_size=5000), key=lambda r: r[0]):
        found = rhythm_of(email=who, orders=[row[1:] for row in group], now=now)
        if found is not None:
            yield found
