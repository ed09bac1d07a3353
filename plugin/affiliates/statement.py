"""A partner's payout statement for one period, read from the rewards ledger: each commission
released (payable) in the period, each clawback made in it, the orders the partner brought in
it, and which of their commissions are still held or were voided. Amounts are per currency;
nothing here is ever converted.

A commission counts once it is released from its hold; a held one is shown but never payable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.fields.json import KT

from plugin.affiliates.models import Partner, PartnerOrder, Payout
from plugin.rewards.models import EntryAction, Reward, RewardEntry, RewardState

PAYABLE_ACTIONS = (EntryAction.RELEASED, EntryAction.CLAWED_BACK)
NOT_YET_PAYABLE = (RewardState.PENDING, RewardState.REVIEW, RewardState.HELD)


@dataclass(frozen=True, slots=True)
class Payable:
    """One ledger entry of the period: a commission released (+) or a clawback (-)."""

    entry_id: int
    amount: Decimal  # signed
    currency: str
    paid_in: int | None  # the payout that settled it


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A payable entry as the statement shows it, with its order."""

    entry_id: int
    kind: str  # commission | clawback
    amount: Decimal  # signed
    currency: str
    at: datetime
    order_id: str
    order_number: str
    ordered_at: datetime
    order_total: Decimal
    paid_in: int | None


@dataclass(slots=True)
class Totals:
    """One currency's figures of a statement."""

    currency: str
    orders: int = 0  # brought in the period
    revenue: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)  # released in the period
    clawbacks: Decimal = Decimal(0)  # taken back in the period (positive)
    held_count: int = 0  # commissions on this period's orders not payable yet
    held: Decimal = Decimal(0)
    voided_count: int = 0  # commissions on this period's orders that came to nothing
    unpaid: Decimal = Decimal(0)  # net of the entries no payout settled yet

    @property
    def net(self) -> Decimal:
        return self.commission - self.clawbacks


@dataclass(slots=True)
class Statement:
    partner: Partner
    start: date
    end: date  # exclusive
    payable: list[Payable] = field(default_factory=list)  # every entry; the totals' source
    totals: dict[str, Totals] = field(default_factory=dict)
    payouts: list[Payout] = field(default_factory=list)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end, time.min, UTC)


def _entries(partner: Partner, start: date, end: date):
    since, until = period_bounds(start, end)
    return (RewardEntry.objects
            .filter(reward__commission__partner_id=partner.pk, action__in=PAYABLE_ACTIONS,
                    created_at__gte=since, created_at__lt=until)
            .order_by("created_at", "id"))


def _signed(action: str, amount: Decimal | None, clawed: str | None) -> Decimal:
    if action == EntryAction.RELEASED:
        return amount or Decimal(0)
    return -Decimal(clawed or "0")  # what the clawback took, as the ledger entry recorded it


def _payable(partner: Partner, start: date, end: date) -> list[Payable]:
    rows = _entries(partner, start, end).values_list(
        "id", "action", "amount", KT("details__clawed_back"), "reward__currency",
        "payout_item__payout_id")
    return [Payable(entry_id, _signed(action, amount, clawed), currency, paid_in)
            for entry_id, action, amount, clawed, currency, paid_in in rows]


def statement_lines(*, partner: Partner, start: date, end: date,
                    limit: int | None = None) -> Iterator[StatementLine]:
    """The period's entries with their orders, oldest first (the first `limit` of them)."""
    rows = _entries(partner, start, end).values_list(
        "id", "action", "amount", KT("details__clawed_back"), "created_at", "reward__currency",
        "reward__order_id", "reward__order_number", "reward__commission__order__ordered_at",
        "reward__commission__order__total", "payout_item__payout_id")
    for (entry_id, action, amount, clawed, at, currency, order_id, number, ordered_at, total,
         paid_in) in (rows[:limit] if limit is not None else rows.iterator(chunk_size=2000)):
        kind = "commission" if action == EntryAction.RELEASED else "clawback"
        yield StatementLine(entry_id, kind, _signed(action, amount, clawed), currency, at,
                            order_id, number, ordered_at, total, paid_in)


def _latest(field_name: str) -> Subquery:
    return Subquery(RewardEntry.objects.filter(reward=OuterRef("pk")).order_by("-seq")
                    .values(field_name)[:1])


def partner_statement(*, partner: Partner, start: date, end: date) -> Statement:
    since, until = period_bounds(start, end)
    statement = Statement(partner=partner, start=start, end=end,
                          payable=_payable(partner, start, end))
    totals = statement.totals

    def of(currency: str) -> Totals:
        return totals.setdefault(currency, Totals(currency=currency))

    for entry in statement.payable:
        row = of(entry.currency)
        if entry.amount >= 0:
            row.commission += entry.amount
        else:
            row.clawbacks -= entry.amount
        if entry.paid_in is None:
            row.unpaid += entry.amount
    brought = (PartnerOrder.objects.filter(partner=partner, ordered_at__gte=since,
                                           ordered_at__lt=until)
               .values("currency").annotate(n=Count("id"), revenue=Sum("total")))
    for row in brought:
        of(row["currency"]).orders, of(row["currency"]).revenue = row["n"], row["revenue"]
    # What became of the commissions on this period's orders: still held, or voided.
    standing: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    states = (Reward.objects.filter(commission__order__partner=partner,
                                    commission__order__ordered_at__gte=since,
                                    commission__order__ordered_at__lt=until)
              .annotate(state=_latest("state"), value=_latest("amount"))
              .filter(state__in=(*NOT_YET_PAYABLE, RewardState.VOIDED))
              .values_list("currency", "state", "value"))
    for currency, state, value in states:
        standing[(currency, state)].append(value or Decimal(0))
    for (currency, state), values in standing.items():
        row = of(currency)
        if state == RewardState.VOIDED:
            row.voided_count += len(values)
        else:
            row.held_count += len(values)
            row.held += sum(values, Decimal(0))
    statement.payouts = list(Payout.objects.filter(partner=partner, period_start=start,
                                                   period_end=end))
    return statement
