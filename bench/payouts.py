"""Benchmark: a partner's payout statement for one month (`partner_statement`) in a shop whose
100,000 orders of a year all came through 20 affiliate partners (the busiest brings about a
third), each with its commission in the ledger: held, released, voided during the hold, clawed
back after release. Against a hand-written baseline doing only the job (plain SQL aggregates),
and checked against a straightforward reference computation in Python over the partner's whole
ledger. Prints the times and their ratio; the statement must stay under 300 ms.

    .venv/bin/python bench/payouts.py [--orders 100000] [--partners 20] [--postgres]

SQLite: a throwaway database of its own (or DATABASE_URL if set). --postgres: a database of its
own (`bench_payouts`) on BENCH_POSTGRES_URL, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.support.own_database import (  # noqa: E402
    POSTGRES,
    django_on_own_database,
    django_on_sqlite,
)

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
MONTH = (date(2026, 7, 1), date(2026, 8, 1))
LIMIT_MS = 300
CHUNK = 10_000
BENCH_SHOP = "http://bench.saleor.localhost/graphql/"


def _entry(reward, seq, action, state, amount, at, **extra):
    from plugin.rewards.models import RewardEntry

    return RewardEntry(reward=reward, seq=seq, action=action, state=state, amount=amount,
                       created_at=at, **extra)


def _ledger_of(reward, ordered: datetime, rng: random.Random) -> list:
    """The entries one commission went through: decided, held, then released or voided, and
    sometimes clawed back after release."""
    amount, fate = reward.amount, rng.random()
    fulfilled = ordered + timedelta(days=2)
    entries = [_entry(reward, 1, "decided", "pending", amount, ordered + timedelta(minutes=5)),
               _entry(reward, 2, "held", "held", amount, fulfilled,
                      due_at=fulfilled + timedelta(days=30))]
    if fate < 0.08:
        entries.append(_entry(reward, 3, "voided", "voided", amount,
                              fulfilled + timedelta(days=rng.randrange(1, 29))))
        return entries
    released = fulfilled + timedelta(days=30, minutes=rng.randrange(1, 6))
    if released >= datetime(2027, 1, 1, tzinfo=UTC):
        return entries  # still held at the end of the year
    entries.append(_entry(reward, 3, "released", "issued", amount, released))
    if fate > 0.94:
        kept = (amount * Decimal(rng.randrange(0, 90)) / 100).quantize(Decimal("0.01"))
        entries.append(_entry(reward, 4, "clawed_back", "issued" if kept else "voided", kept,
                              released + timedelta(days=rng.randrange(1, 40)),
                              details={"clawed_back": str(amount - kept)}))
    return entries


def _populate(shop, orders: int, partners: int, rng: random.Random) -> None:
    from plugin.affiliates.models import Commission, PartnerOrder
    from plugin.affiliates.services import partner_create
    from plugin.rewards.models import Reward, RewardEntry

    people = [partner_create(installation=shop, name=f"Partner {n}", email=f"p{n}@bench.test",
                             now=YEAR) for n in range(partners)]
    code_of = {p.pk: p.codes.get() for p in people}
    weights = [1.0 / (1 + n) for n in range(partners)]
    brought = rng.choices(range(partners), weights=weights, k=orders)
    span = int(timedelta(days=365).total_seconds())
    for start in range(0, orders, CHUNK):
        rows, rewards, entries = [], [], []
        for index in range(start, min(start + CHUNK, orders)):
            partner = people[brought[index]]
            ordered = YEAR + timedelta(seconds=rng.randrange(span))
            total = Decimal(rng.randrange(500, 40_000)) / 100
            currency = "EUR" if index % 25 == 0 else "USD"
            rows.append(PartnerOrder(installation=shop, partner=partner,
                                     code=code_of[partner.pk], order_id=f"O-{index}",
                                     order_number=str(index), source="metadata",
                                     currency=currency, total=total, ordered_at=ordered))
            rewards.append(Reward(
                installation=shop, key=f"affiliate:{partner.pk}:order:O-{index}",
                order_id=f"O-{index}", order_number=str(index), recipient_role="affiliate",
                recipient_email=partner.email, recipient_key=partner.email, kind="money",
                delivery="store_credit", amount=(total * Decimal("0.08")).quantize(Decimal("0.01")),
                currency=currency, hold_days=30, hold_after="fulfillment", created_at=ordered))
        PartnerOrder.objects.bulk_create(rows)
        Reward.objects.bulk_create(rewards)
        for reward, row in zip(rewards, rows, strict=True):
            entries += _ledger_of(reward, row.ordered_at, rng)
        RewardEntry.objects.bulk_create(entries)
        Commission.objects.bulk_create([Commission(partner_id=row.partner_id, order=row, reward=r)
                                        for r, row in zip(rewards, rows, strict=True)])


def baseline(partner, start: date, end: date) -> dict[str, tuple]:
    """The same totals by hand: three SQL aggregates over the ledger, nothing else."""
    from django.db import connection

    from plugin.affiliates.statement import period_bounds

    since, until = period_bounds(start, end)
    sqlite = connection.vendor == "sqlite"
    clawed = ("CAST(json_extract(e.details, '$.clawed_back') AS TEXT)" if sqlite
              else "(e.details->>'clawed_back')::numeric")
    latest = ("(SELECT {col} FROM rewards_rewardentry x WHERE x.reward_id = r.id "
              "ORDER BY x.seq DESC LIMIT 1)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.currency, SUM(CASE WHEN e.action = 'released' THEN e.amount ELSE 0 END), "
            f"SUM(CASE WHEN e.action = 'clawed_back' THEN {clawed} ELSE 0 END) "
            "FROM affiliates_commission c JOIN rewards_reward r ON r.id = c.reward_id "
            "JOIN rewards_rewardentry e ON e.reward_id = r.id WHERE c.partner_id = %s "
            "AND e.action IN ('released', 'clawed_back') AND e.created_at >= %s "
            "AND e.created_at < %s GROUP BY r.currency", [partner.pk, since, until])
        money = {cur: (Decimal(str(a)), Decimal(str(b))) for cur, a, b in cursor.fetchall()}
        cursor.execute("SELECT currency, COUNT(*), SUM(total) FROM affiliates_partnerorder "
                       "WHERE partner_id = %s AND ordered_at >= %s AND ordered_at < %s "
                       "GROUP BY currency", [partner.pk, since, until])
        orders = {cur: (n, Decimal(str(s))) for cur, n, s in cursor.fetchall()}
        cursor.execute(
            f"SELECT currency, state, COUNT(*), SUM(value) FROM (SELECT r.currency, "
            f"{latest.format(col='state')} AS state, {latest.format(col='amount')} AS value, "
            "o.ordered_at FROM affiliates_commission c JOIN rewards_reward r ON r.id = c.reward_id "
            "JOIN affiliates_partnerorder o ON o.id = c.order_id WHERE c.partner_id = %s "
            "AND o.ordered_at >= %s AND o.ordered_at < %s) s "
            "WHERE state IN ('pending', 'review', 'held', 'voided') GROUP BY currency, state",
            [partner.pk, since, until])
        standing = defaultdict(lambda: [0, Decimal(0), 0])
        for cur, state, n, value in cursor.fetchall():
            if state == "voided":
                standing[cur][2] += n
            else:
                standing[cur][0] += n
                standing[cur][1] += Decimal(str(value))
    result = {}
    for cur in set(money) | set(orders) | set(standing):
        commission, clawbacks = money.get(cur, (Decimal(0), Decimal(0)))
        n, revenue = orders.get(cur, (0, Decimal(0)))
        held_count, held, voided = standing[cur]
        result[cur] = (n, revenue, commission, clawbacks, commission - clawbacks, held_count,
                       held, voided)
    return result


def reference(partner, start: date, end: date) -> dict[str, tuple]:
    """The statement computed the plain way: walk each of the partner's commissions entry by
    entry (a clawback is what the amount dropped by, not what its note says)."""
    from plugin.affiliates.models import Commission
    from plugin.affiliates.statement import period_bounds
    from plugin.rewards.models import RewardEntry

    since, until = period_bounds(start, end)
    order_of = {c.reward_id: c.order for c in Commission.objects.filter(partner=partner)
                .select_related("order")}
    entries = defaultdict(list)
    for entry in RewardEntry.objects.filter(reward_id__in=list(order_of)).order_by("seq"):
        entries[entry.reward_id].append(entry)
    totals = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0), 0, Decimal(0), 0])
    for order in {o.pk: o for o in order_of.values()}.values():
        if since <= order.ordered_at < until:
            totals[order.currency][0] += 1
            totals[order.currency][1] += order.total
    for reward_id, chain in entries.items():
        order = order_of[reward_id]
        row = totals[order.currency]
        for before, entry in zip([None, *chain], chain, strict=False):
            if since <= entry.created_at < until and entry.action == "released":
                row[2] += entry.amount
            if since <= entry.created_at < until and entry.action == "clawed_back":
                row[3] += before.amount - entry.amount
        last = chain[-1]
        if not since <= order.ordered_at < until:
            continue
        if last.state in ("pending", "review", "held"):
            row[4] += 1
            row[5] += last.amount
        if last.state == "voided":
            row[6] += 1
    return {cur: (n, revenue, com, claw, com - claw, held_n, held, voided)
            for cur, (n, revenue, com, claw, held_n, held, voided) in totals.items()}


def app_figures(statement) -> dict[str, tuple]:
    return {t.currency: (t.orders, t.revenue, t.commission, t.clawbacks, t.net, t.held_count,
                         t.held, t.voided_count) for t in statement.totals.values()}


def in_cents(figures: dict[str, tuple]) -> dict[str, tuple]:
    """Amounts to the cent (SQLite sums decimals as floating point), counts as they are."""
    cent = Decimal("0.01")
    return {cur: tuple(v if isinstance(v, int) else Decimal(v).quantize(cent) for v in row)
            for cur, row in figures.items()}


def _best_ms(job, rounds: int = 5) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        job()
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def run(orders: int, partners: int, database: str) -> int:
    from plugin.affiliates.models import Partner
    from plugin.affiliates.statement import partner_statement
    from plugin.install.models import Installation

    started = time.perf_counter()
    shop = Installation.objects.filter(saleor_api_url=BENCH_SHOP).first()
    if shop is None:  # a kept database (--keep) already holds the shop
        shop = Installation.objects.create(saleor_api_url=BENCH_SHOP, app_id="QXBwOjE=")
        _populate(shop, orders, partners, random.Random(23))
    people = list(Partner.objects.filter(installation=shop).order_by("id"))
    busiest = people[0]
    print(f"payouts: {orders:,} orders through {partners} partners on {database} "
          f"(loaded in {time.perf_counter() - started:.0f} s); busiest partner has "
          f"{busiest.orders.count():,} orders, statement of {MONTH[0]:%Y-%m}")
    start, end = MONTH
    base_ms = _best_ms(lambda: baseline(busiest, start, end))
    app_ms = _best_ms(lambda: partner_statement(partner=busiest, start=start, end=end))
    statement = partner_statement(partner=busiest, start=start, end=end)
    print(f"  baseline (three SQL aggregates)            {base_ms:8.1f} ms")
    print(f"  app (partner_statement, {len(statement.payable):,} entries)  {app_ms:8.1f} ms   "
          f"ratio app/baseline {app_ms / base_ms:5.2f}x   limit {LIMIT_MS} ms: "
          f"{'ok' if app_ms < LIMIT_MS else 'OVER'}")
    expected = in_cents(reference(busiest, start, end))
    by_hand, found = in_cents(baseline(busiest, start, end)), in_cents(app_figures(statement))
    if found != expected or by_hand != expected:
        raise SystemExit(f"statement totals disagree:\n app       {found}\n reference "
                         f"{expected}\n baseline  {by_hand}")
    for currency, figures in sorted(found.items()):
        print(f"  {currency}: orders {figures[0]}, commission {figures[2]}, clawbacks "
              f"{figures[3]}, net {figures[4]}, held {figures[5]}, voided {figures[7]}")
    print("  app, baseline and reference computation agree on every total")
    return 0 if app_ms < LIMIT_MS else 1


def _database_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() \
            is not None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database, and reuse one kept earlier")
    args = parser.parse_args()
    if args.postgres:
        reuse = args.keep and _database_exists(POSTGRES, "bench_payouts")
        context = django_on_own_database("bench_payouts", fresh=not reuse, keep=args.keep)
    else:
        context = django_on_sqlite("bench-payouts-")
    with context as connection:
        return run(args.orders, args.partners, connection.vendor)


if __name__ == "__main__":
    sys.exit(main())
