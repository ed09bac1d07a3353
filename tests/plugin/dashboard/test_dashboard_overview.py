"""The Overview's customer figures, worked out by hand on a small shop: referred customers
against the others (repeat rate, value per customer), cost per acquired customer and new
referred customers per month; in the main currency only, in a handful of queries."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from plugin.dashboard.selectors import dashboard_overview
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.referrals.services import customer_order_record
from plugin.rewards.models import EntryAction, RewardState
from plugin.rewards.services import reward_create
from plugin.saleor.captures import captured_delivery

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
MONTHS = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class Shop:
    """Writes orders, referrals and rewards for one installation."""

    def __init__(self, installation):
        self.installation = installation
        self.code = ReferralCode.objects.create(
            installation=installation, code="ANN10", owner_email="ann@x.com")
        self.orders = 0
        self.referrals = 0

    def referral(self, email: str, status=Referral.Status.CONVERTED) -> Referral:
        self.referrals += 1
        return Referral.objects.create(
            installation=self.installation, code=self.code, referrer_email="ann@x.com",
            referee_email=email, source=Referral.Source.VOUCHER,
            checkout_id=f"C-{self.referrals}", status=status)

    def order(self, email: str, total: str, paid_at: datetime | None, *, referral=None,
              currency: str = "USD", status=CustomerOrder.Status.PAID) -> None:
        self.orders += 1
        CustomerOrder.objects.create(
            installation=self.installation, order_id=f"O-{self.orders}", email=email,
            total=Decimal(total), currency=currency, status=status, paid_at=paid_at,
            referral=referral)

    def reward(self, key: str, amount: str, state: str, currency: str = "USD") -> None:
        reward_create(
            installation=self.installation, key=key, now=NOW, action=EntryAction.DECIDED,
            state=state, reason="rule",
            fields={"order_id": key, "rule_line": 1, "trigger": "order paid",
                    "recipient_role": "referrer", "recipient_email": "ann@x.com",
                    "kind": "money", "delivery": "gift_card", "amount": Decimal(amount),
                    "currency": currency})


@pytest.fixture
def seeded(shop):
    """3 referred customers (one with two orders), 5 others (two with two orders)."""
    s = Shop(shop)
    # Referred: their first paid order came through a referral.
    s.order("ra@x.com", "100.00", at(2026, 1, 10), referral=s.referral("ra@x.com"))
    s.order("ra@x.com", "50.00", at(2026, 2, 5))  # repeat, not referred itself
    # rb's first order fell on March's first instant
    s.order("rb@x.com", "80.00", at(2026, 3, 1), referral=s.referral("rb@x.com"))
    s.order("rc@x.com", "70.00", at(2025, 9, 30, 23, 59, 59), referral=s.referral("rc@x.com"))
    s.order("rc@x.com", "40.00", at(2025, 10, 1), status=CustomerOrder.Status.CANCELLED)
    # Others.
    s.order("oa@x.com", "60.00", at(2025, 11, 1))
    s.order("oa@x.com", "60.00", at(2025, 12, 1))
    s.order("ob@x.com", "30.00", at(2026, 1, 1))
    s.order("ob@x.com", "90.00", at(2026, 2, 1), referral=s.referral("ob@x.com"))  # referred later
    s.order("oc@x.com", "50.00", at(2026, 2, 10),
            referral=s.referral("oc@x.com", status=Referral.Status.REFUSED))
    s.order("od@x.com", "40.00", at(2026, 3, 2))
    s.order("oe@x.com", "20.00", at(2026, 3, 3))
    s.order("oe@x.com", "500.00", None, status=CustomerOrder.Status.CREATED)  # never paid
    s.order("oe@x.com", "999.00", at(2026, 3, 4), currency="EUR")  # a minority currency
    # Live rewards cost 30 + 15 USD; voided and other-currency ones do not count.
    s.reward("R-1", "30.00", RewardState.ISSUED)
    s.reward("R-2", "15.00", RewardState.PENDING)
    s.reward("R-3", "10.00", RewardState.VOIDED)
    s.reward("R-4", "5.00", RewardState.ISSUED, currency="EUR")
    return shop


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def test_customer_figures_of_a_seeded_shop(seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # five for the figures, one for the skipped orders
        data = dashboard_overview(installation=seeded, now=NOW)
    # Orders: referred O-1 100, rb 80, rc 70, ob's later 90; the other seven sum to 310.
    assert (data["currency"], data["other_currency_orders"]) == ("USD", 1)
    assert data["skipped_orders"] == []  # no order was outside the program
    assert (data["referred_orders"], data["other_orders"]) == (4, 7)
    assert data["referred_average"] == usd("85.00")
    assert data["other_average"] == usd("44.29")
    assert data["reward_cost"] == usd("45.00")
    assert data["cost_share"] == "13.2"  # 45 / 340
    # Customers: ra, rb, rc referred; ob's first order was not referred, oc's referral refused.
    assert (data["referred_customers"], data["other_customers"]) == (3, 5)
    assert data["referred_repeat_rate"] == "33.3"  # ra (rc's second order was cancelled)
    assert data["other_repeat_rate"] == "40.0"  # oa and ob
    assert data["referred_customer_value"] == usd("100.00")  # 300 / 3
    assert data["other_customer_value"] == usd("70.00")  # 350 / 5
    assert data["customer_value_difference"] == "+42.9"
    assert data["cost_per_customer"] == usd("15.00")  # 45 / 3
    # rc's first order fell a second before October, outside the six months shown.
    assert data["new_referred_by_month"] == [
        {"month": month, "customers": count}
        for month, count in zip(MONTHS, [0, 0, 0, 1, 0, 1], strict=True)]


def test_the_endpoint_serves_the_figures(dash, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # the six above plus the installation lookup
        data = dash.get("overview").json()
    assert data["referred_customers"] == 3
    assert len(data["new_referred_by_month"]) == 6


def test_value_below_the_others_shows_a_minus(shop):
    s = Shop(shop)
    s.order("r@x.com", "30.00", at(2026, 3, 1), referral=s.referral("r@x.com"))
    s.order("o@x.com", "40.00", at(2026, 3, 1))
    data = dashboard_overview(installation=shop, now=NOW)
    assert data["customer_value_difference"] == "-25.0"
    assert data["cost_per_customer"] == usd("0.00")  # no live rewards yet


def test_a_shop_without_orders(shop):
    data = dashboard_overview(installation=shop, now=NOW)
    assert data["currency"] is None
    assert (data["referred_customers"], data["other_customers"]) == (0, 0)
    assert data["referred_repeat_rate"] is None and data["cost_per_customer"] is None
    assert data["customer_value_difference"] is None
    assert [m["month"] for m in data["new_referred_by_month"]] == MONTHS
    assert {m["customers"] for m in data["new_referred_by_month"]} == {0}


def test_a_shop_without_referred_customers(shop):
    s = Shop(shop)
    s.order("o@x.com", "40.00", at(2026, 3, 1))
    s.order("o@x.com", "60.00", at(2026, 3, 2))
    s.reward("R-1", "10.00", RewardState.ISSUED)
    data = dashboard_overview(installation=shop, now=NOW)
    assert (data["referred_customers"], data["other_customers"]) == (0, 1)
    assert data["referred_repeat_rate"] is None and data["other_repeat_rate"] == "100.0"
    assert data["referred_customer_value"] is None
    assert data["other_customer_value"] == usd("100.00")
    assert data["customer_value_difference"] is None
    assert data["cost_per_customer"] is None  # 10 USD spent, nobody acquired: no division
    assert {m["customers"] for m in data["new_referred_by_month"]} == {0}


def test_a_minority_currency_is_left_out_not_added(shop):
    s = Shop(shop)
    s.order("r@x.com", "500.00", at(2026, 2, 1), currency="USD", referral=s.referral("r@x.com"))
    s.order("a@x.com", "10.00", at(2026, 2, 2), currency="EUR")
    s.order("b@x.com", "20.00", at(2026, 2, 3), currency="EUR")
    s.reward("R-1", "50.00", RewardState.ISSUED, currency="USD")
    data = dashboard_overview(installation=shop, now=NOW)
    assert (data["currency"], data["other_currency_orders"]) == ("EUR", 1)
    assert (data["referred_customers"], data["other_customers"]) == (0, 2)
    assert data["other_customer_value"] == {"amount": "15.00", "currency": "EUR"}
    assert data["reward_cost"] == {"amount": "0.00", "currency": "EUR"}
    assert {m["customers"] for m in data["new_referred_by_month"]} == {0}


def test_months_roll_over_the_year(shop):
    s = Shop(shop)
    s.order("r@x.com", "10.00", at(2025, 8, 31), referral=s.referral("r@x.com"))
    s.order("q@x.com", "10.00", at(2025, 9, 1), referral=s.referral("q@x.com"))
    data = dashboard_overview(installation=shop, now=at(2026, 2, 28, 23, 59))
    assert data["new_referred_by_month"] == [
        {"month": m, "customers": n} for m, n in
        [("2025-09", 1), ("2025-10", 0), ("2025-11", 0), ("2025-12", 0), ("2026-01", 0),
         ("2026-02", 0)]]


def test_spellings_of_one_mailbox_are_one_customer(shop):
    """Orders recorded from captured ORDER_FULLY_PAID deliveries, placed under two spellings of
    one Gmail address, are one customer who came back."""
    for n, (email, paid_at) in enumerate([("Bo.Friend+promo@GoogleMail.com", at(2026, 3, 1)),
                                          ("bofriend@gmail.com", at(2026, 3, 2))]):
        payload = copy.deepcopy(captured_delivery("ORDER_FULLY_PAID", 1).payload)
        payload["order"].update(id=f"T3JkZXI6{n}", userEmail=email, user=None)
        customer_order_record(installation=shop, order_payload=payload, status="paid", at=paid_at)
    data = dashboard_overview(installation=shop, now=NOW)
    assert (data["other_orders"], data["other_customers"]) == (2, 1)
    assert data["other_repeat_rate"] == "100.0"
