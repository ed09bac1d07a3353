"""Reads of the playbook: settings, sleeping customers, the lost-revenue estimate and how many
customers woke up after an offer (what the dashboard shows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from plugin.playbook.models import PlaybookSettings, WinBackOffer
from plugin.playbook.rhythms import Rhythm, customer_rhythms
from plugin.programs.selectors import program_published
from rules.facts import Trigger
from rules.facts.money import Money, is_currency


def playbook_settings_get(*, installation: Any) -> PlaybookSettings:
    """The installation's settings, or unsaved defaults."""
    found = PlaybookSettings.objects.filter(installation=installation).first()
    return found or PlaybookSettings(installation=installation)


def asleep_periods(*, installation: Any, program: Any = None) -> int:
    """K: the fewest periods any `customer asleep for K periods` rule names, else the default."""
    periods = [r.asleep_periods for r in getattr(program, "rules", ())
               if r.trigger == Trigger.CUSTOMER_ASLEEP and r.asleep_periods]
    if periods:
        return min(periods)
    return playbook_settings_get(installation=installation).asleep_periods_default


def _program(installation: Any) -> Any:
    published = program_published(installation=installation)
    return published[1] if published else None


def customers_asleep(*, installation: Any, now: datetime, periods: int | None = None
                     ) -> list[Rhythm]:
    """Customers who missed at least K of their own periods, longest asleep first."""
    k = periods if periods is not None else asleep_periods(
        installation=installation, program=_program(installation))
    asleep = [r for r in customer_rhythms(installation=installation, now=now) if r.is_asleep(k)]
    return sorted(asleep, key=lambda r: (-r.periods_missed, r.email))


@dataclass(frozen=True, slots=True)
class LostRevenue:
    asleep: int  # sleeping customers
    expected_return_rate: Decimal
    estimate: tuple[Money, ...]  # per currency: Σ average order value x return rate
    offers: int  # win-back offers made
    woke_after_offer: int  # customers who ordered again after their offer
    open_offers: int


def lost_revenue_estimate(*, installation: Any, now: datetime,
                          return_rate: Decimal | None = None) -> LostRevenue:
    """What the sleeping customers are worth: each one's average order x the expected return
    rate (the merchant's setting, 30 % by default), with the offers' results so far."""
    rate = return_rate if return_rate is not None else playbook_settings_get(
        installation=installation).expected_return_rate
    asleep = customers_asleep(installation=installation, now=now)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for rhythm in asleep:
        sums[rhythm.currency] += rhythm.average_order * rate
    estimate = tuple(Money.of(total, currency) for currency, total in sorted(sums.items())
                     if is_currency(currency))
    stats = win_back_stats(installation=installation, now=now)
    return LostRevenue(asleep=len(asleep), expected_return_rate=rate, estimate=estimate,
                       offers=stats["offers"], woke_after_offer=stats["woke"],
                       open_offers=stats["open"])


def win_back_stats(*, installation: Any, now: datetime) -> dict[str, int]:
    """Offers made, woken (ordered after the offer), still open, and expired unused."""
    counts = WinBackOffer.objects.filter(installation=installation).aggregate(
        offers=Count("pk"),
        woke=Count("pk", filter=Q(status=WinBackOffer.Status.WOKE)),
        open=Count("pk", filter=Q(status=WinBackOffer.Status.OPEN, expires_at__gt=now)),
    )
    counts["expired"] = counts["offers"] - counts["woke"] - counts["open"]
    return counts


def win_back_open_offer(*, installation: Any, email: str, now: datetime) -> WinBackOffer | None:
    return WinBackOffer.objects.filter(
        installation=installation, email=email, status=WinBackOffer.Status.OPEN,
        expires_at__gt=now,
    ).first()
