"""Results of the live A/B test per variant: referrers assigned, invites sent, share-link visits,
referrals, friends who bought, reward cost, referred revenue, cost per acquired customer, and
each variant against the first (the control) with a confidence sequence and a verdict.

The unit is the referrer (the advocate who shares the offer): each referrer with a code is in
one variant, with their friends' revenue and rewards as their outcomes (zero when they brought
nobody). A handful of grouped queries, whatever the number of orders.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from plugin.experiments.stats import Moments, difference, verdict
from plugin.playbook.models import PlannedMessage
from plugin.programs.reports import to_jsonable
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode, ReferralVisit
from plugin.referrals.selectors import LIVE_STATUSES
from plugin.rewards.models import Reward
from rules.evaluate.ab_tests import ABTestInfo
from rules.facts.money import Money

INVITES = (PlannedMessage.Kind.INVITE_PAID, PlannedMessage.Kind.INVITE_FULFILLED,
           PlannedMessage.Kind.FOLLOWUP)


def _referrers(installation: Any, test: ABTestInfo) -> dict[str, str]:
    """Variant by referrer e-mail: every customer with a referral code, assigned as the app
    assigns them (by Saleor id, else e-mail)."""
    owners = (ReferralCode.objects.filter(installation=installation).order_by()
              .values_list("owner_email", "owner_customer_id").distinct())
    return {email: test.variant_of(customer_id=owner_id or None, email=email)
            for email, owner_id in owners}


def _by_referrer(rows) -> dict[str, Any]:
    return {email: value or 0 for email, value in rows}


def ab_test_results(*, installation: Any, test: ABTestInfo, currency: str) -> dict[str, Any]:
    """Everything the A/B test page shows; amounts in the program's `currency` only."""
    variant_of = _referrers(installation, test)
    in_test = Q(installation=installation, ab_test=test.name)
    referrals = Referral.objects.filter(in_test, status__in=LIVE_STATUSES).order_by()
    counts = {row["referrer_email"]: row for row in referrals.values("referrer_email").annotate(
        referrals=Count("referee_email", distinct=True),
        converted=Count("referee_email", distinct=True,
                        filter=Q(status=Referral.Status.CONVERTED)))}
    revenue = _by_referrer(
        CustomerOrder.objects.filter(installation=installation, referral__ab_test=test.name,
                                     paid_at__isnull=False, currency=currency)
        .exclude(status=CustomerOrder.Status.CANCELLED).order_by()
        .values_list("referral__referrer_email").annotate(Sum("total")))
    referrer_of = dict(Referral.objects.filter(in_test).values_list("pk", "referrer_email"))
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for referral_id, amount in (Reward.objects.filter(in_test, currency=currency,
                                                      amount__isnull=False).order_by()
                                .values_list("referral_id").annotate(Sum("amount"))):
        if referral_id in referrer_of:
            cost[referrer_of[referral_id]] += amount
    visits = _by_referrer(ReferralVisit.objects.filter(installation=installation).order_by()
                          .values_list("code__owner_email").annotate(Count("pk")))
    invites = _by_referrer(PlannedMessage.objects.filter(
        installation=installation, kind__in=INVITES, sent_at__isnull=False).order_by()
        .values_list("email").annotate(Count("pk")))
    return _summary(test, currency, variant_of, counts, revenue, cost, visits, invites)


def _summary(test, currency, variant_of, counts, revenue, cost, visits, invites) -> dict:
    counted = ("referrers", "invites", "visits", "referrals", "converted")
    per: dict[str, dict[str, int]] = {name: dict.fromkeys(counted, 0) for name, _ in test.variants}
    outcomes: dict[str, tuple[list[Decimal], list[Decimal]]] = {
        name: ([], []) for name, _ in test.variants}
    for email, name in variant_of.items():
        row, count = per[name], counts.get(email) or {}
        row["referrers"] += 1
        row["invites"] += invites.get(email, 0)
        row["visits"] += visits.get(email, 0)
        row["referrals"] += count.get("referrals", 0)
        row["converted"] += count.get("converted", 0)
        outcomes[name][0].append(Decimal(revenue.get(email, 0)))
        outcomes[name][1].append(Decimal(cost.get(email, 0)))
    total_weight = sum(weight for _, weight in test.variants)
    control, control_weight = test.variants[0]
    variants = []
    for name, weight in test.variants:
        row = per[name]
        money, spent = sum(outcomes[name][0], Decimal(0)), sum(outcomes[name][1], Decimal(0))
        entry = {"name": name, "weight": weight, **row,
                 "conversion": _share(row["converted"], row["referrals"]),
                 "cost": _money(spent, currency), "revenue": _money(money, currency),
                 "cost_per_acquired": _money(spent / row["converted"], currency)
                 if row["converted"] else None}
        if name != control:
            share = weight / (weight + control_weight)
            revenue_pair = (Moments.of(outcomes[control][0]), Moments.of(outcomes[name][0]))
            cost_pair = (Moments.of(outcomes[control][1]), Moments.of(outcomes[name][1]))
            interval = difference(*revenue_pair, share_b=share)
            entry["against"] = control
            entry["revenue_difference"] = None if interval is None else {
                "per_referrer": f"{interval.difference:.2f}", "low": f"{interval.low:.2f}",
                "high": f"{interval.high:.2f}", "currency": currency}
            entry["verdict"] = verdict(names=(control, name), revenue=revenue_pair,
                                       cost=cost_pair, share_b=share)
        variants.append(entry)
    return {"test": test.name, "salt": test.salt, "currency": currency,
            "total_weight": total_weight, "variants": variants}


def _share(part: int, whole: int) -> str | None:
    return f"{Decimal(100 * part) / whole:.1f}" if whole else None


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return to_jsonable(Money(amount, currency))
