"""A partner's payout statement for one period, read from the rewards ledger: each commission
released (payable) in the period, each clawback made in it, the orders the partner brought, and
what is still held or was voided. Amounts are per currency; nothing here is ever converted.

A commission counts once it is released from its hold; a held one is shown but never payable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum

from plugin.affiliates.models import Partner, PartnerOrder, Payout
from plugin.rewards.models import EntryAction, Reward, RewardEntry, RewardState

PAYABLE_ACTIONS = (EntryAction.RELEASED, EntryAction.CLAWED_BACK)
NOT_YET_PAYABLE = (RewardState.PENDING, RewardState.REVIEW, RewardState.HELD)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One ledger entry: a commission released (+) or a clawback (-) in the period."""

    entry_id: int
    reward_id: int
    kind: str  # commission | clawback
    amount: Decimal  # signed
    currency: str
    at: datetime
    order_id: str
    order_number: str
    ordered_at: datetime
    order_total: Decimal
    paid_in: int | None  # the payout that settled it


@dataclass(slots=True)
class Totals:
    """One currency's figures of a statement."""

    currency: str
    orders: int = 0  # brought in the period
    revenue: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)  # released in the period
    clawbacks: Decimal = Decimal(0)  # taken back in the period (positive)
    held_count: int = 0  # not payable yet, whenever ordered
    held: Decimal = Decimal(0)
    voided_count: int = 0  # commissions on this period's orders that came to nothing
    unpaid: Decimal = Decimal(0)  # net of the lines no payout settled yet

    @property
    def net(self) -> Decimal:
        return self.commission - self.clawbacks


@dataclass(slots=True)
class Statement:
    partner: Partner
    start: date
    end: date  # exclusive
    lines: list[StatementLine] = field(default_factory=list)
    totals: dict[str, Totals] = field(default_factory=dict)
    payouts: list[Payout] = field(default_factory=list)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end, time.min, UTC)


def _lines(partner: Partner, since: datetime, until: datetime) -> list[StatementLine]:
    rows = (RewardEntry.objects
            .filter(reward__commission__partner_id=partner.pk, action__in=PAYABLE_ACTIONS,
                    created_at__gte=since, created_at__lt=until)
            .order_by("created_at", "id")
            .values_list("id", "reward_id", "action", "amount", "details", "created_at",
                         "reward__currency", "reward__order_id", "reward__order_number",
                         "reward__commission__order__ordered_at",
                         "reward__commission__order__total", "payout_item__payout_id"))
    lines = []
    for (entry_id, reward_id, action, amount, details, at, currency, order_id, number,
         ordered_at, total, paid_in) in rows:
        if action == EntryAction.RELEASED:
            kind, value = "commission", amount or Decimal(0)
        else:
            kind, value = "clawback", -Decimal((details or {}).get("clawed_back", "0"))
        lines.append(StatementLine(entry_id, reward_id, kind, value, currency, at, order_id,
                                   number, ordered_at, total, paid_in))
    return lines


def _latest(field_name: str) -> Subquery:
    return Subquery(RewardEntry.objects.filter(reward=OuterRef("pk")).order_by("-seq")
                    .values(field_name)[:1])


def partner_statement(*, partner: Partner, start: date, end: date) -> Statement:
    since, until = period_bounds(start, end)
    statement = Statement(partner=partner, start=start, end=end,
                          lines=_lines(partner, since, until))
    totals = statement.totals

    def of(currency: str) -> Totals:
        return totals.setdefault(currency, Totals(currency=currency))

    for line in statement.lines:
        row = of(line.currency)
        if line.kind == "commission":
            row.commission += line.amount
        else:
            row.clawbacks -= line.amount
        if line.paid_in is None:
            row.unpaid += line.amount
    brought = (PartnerOrder.objects.filter(partner=partner, ordered_at__gte=since,
                                           ordered_at__lt=until)
               .values("currency").annotate(n=Count("id"), revenue=Sum("total")))
    for row in brought:
        of(row["currency"]).orders, of(row["currency"]).revenue = row["n"], row["revenue"]
    standing: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    states = (Reward.objects.filter(commission__partner=partner)
              .annotate(state=_latest("state"), value=_latest("amount"))
              .filter(state__in=(*NOT_YET_PAYABLE, RewardState.VOIDED))
              .values_list("currency", "state", "value", "commission__order__ordered_at"))
    for currency, state, value, ordered_at in states:
        if state == RewardState.VOIDED and not since <= ordered_at < until:
            continue
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
