"""Results of an A/B test per variant, from what the app stored: referrers with codes are split
by the test's salt; their friends' referrals, orders and rewards count for their variant, as
do their visits and invites; a referrer who brought nobody counts as zero."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.experiments.selectors import ab_test_results
from plugin.install.models import Installation
from plugin.playbook.models import PlannedMessage
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode, ReferralVisit
from plugin.rewards.models import Reward
from rules.evaluate.ab_tests import ABTestInfo

pytestmark = pytest.mark.django_db
TEST = ABTestInfo("Welcome", "salt-7", (("ten", 1), ("fifteen", 1)), 3)
REFERRERS = [f"r{n}@x.com" for n in range(8)]


@pytest.fixture
def shop(db):
    return Installation.objects.create(saleor_api_url="https://ab.example.com/graphql/",
                                       app_id="QXBwOjE=")


def _story(shop) -> dict[str, str]:
    """Each referrer's code; r0..r3 each referred one friend who paid 100 USD + n, earning the
    referrer 10 USD; a visit and an invite per referrer. Returns the variant by referrer."""
    now = timezone.now()
    variants = {}
    for n, email in enumerate(REFERRERS):
        code = ReferralCode.objects.create(installation=shop, code=f"AB-{n}", owner_email=email)
        variants[email] = TEST.variant_of(customer_id=None, email=email)
        ReferralVisit.objects.create(installation=shop, code=code, visitor_key=f"v{n}")
        PlannedMessage.objects.create(installation=shop, key=f"invite_paid:{email}",
                                      kind="invite_paid", email=email, due_at=now, sent_at=now)
        if n >= 4:
            continue
        referral = Referral.objects.create(
            installation=shop, code=code, referrer_email=email, referee_email=f"f{n}@x.com",
            source=Referral.Source.VOUCHER, order_id=f"O-{n}", status=Referral.Status.CONVERTED,
            ab_test=TEST.name, ab_variant=variants[email])
        CustomerOrder.objects.create(
            installation=shop, order_id=f"O-{n}", email=f"f{n}@x.com", currency="USD",
            total=Decimal(100 + n), status=CustomerOrder.Status.PAID, referral=referral,
            paid_at=now - timedelta(days=1))
        Reward.objects.create(
            installation=shop, key=f"k{n}", referral_id=referral.pk, recipient_role="referrer",
            recipient_email=email, kind="money", amount=Decimal(10), currency="USD",
            ab_test=TEST.name, ab_variant=variants[email], created_at=now)
    return variants


def test_each_variant_counts_its_referrers_and_their_friends(shop):
    variants = _story(shop)
    results = ab_test_results(installation=shop, test=TEST, currency="USD")
    by_name = {v["name"]: v for v in results["variants"]}
    for name in ("ten", "fifteen"):
        mine = [email for email, variant in variants.items() if variant == name]
        brought = [n for n, email in enumerate(REFERRERS[:4]) if variants[email] == name]
        row = by_name[name]
        assert (row["referrers"], row["visits"], row["invites"]) == (len(mine),) * 3
        assert (row["referrals"], row["converted"]) == (len(brought), len(brought))
        assert row["revenue"]["amount"] == f"{sum(100 + n for n in brought):.2f}"
        assert row["cost"]["amount"] == f"{10 * len(brought):.2f}"
        assert row["cost_per_acquired"] == ({"amount": "10.00", "currency": "USD"}
                                            if brought else None)
    assert sum(by_name[n]["referrers"] for n in by_name) == len(REFERRERS)
    fifteen = by_name["fifteen"]
    assert fifteen["against"] == "ten"
    assert fifteen["verdict"].startswith("not enough data yet: at least 30 customers")
    assert "verdict" not in by_name["ten"]


def test_another_test_and_another_shop_count_for_nothing(shop):
    _story(shop)
    other = ABTestInfo("Another", "x", (("a", 1), ("b", 1)), 1)
    results = ab_test_results(installation=shop, test=other, currency="USD")
    assert sum(v["referrals"] for v in results["variants"]) == 0
    assert sum(v["referrers"] for v in results["variants"]) == len(REFERRERS)
    elsewhere = Installation.objects.create(saleor_api_url="https://b.example.com/graphql/",
                                            app_id="QXBwOjI=")
    assert sum(v["referrers"] for v in ab_test_results(
        installation=elsewhere, test=TEST, currency="USD")["variants"]) == 0
