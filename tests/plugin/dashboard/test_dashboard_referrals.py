"""The referral pages: referrals with their rewards, the ledger with filters, the review queue
(approve / reject with a reason, audited), contests and the headline figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from plugin.contests.models import Contest, ContestEntry
from plugin.programs.models import AuditLog
from plugin.referrals.models import CustomerOrder, Referral, ReferralCode
from plugin.rewards.models import EntryAction, RewardEntry, RewardState
from plugin.rewards.services import reward_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(shop):
    """A referral that converted with a 50 USD reward in review, one refused, and orders."""
    now = timezone.now()
    code = ReferralCode.objects.create(installation=shop, code="ANN10", owner_email="ann@x.com")
    converted = Referral.objects.create(
        installation=shop, code=code, referrer_email="ann@x.com", referee_email="bo@x.com",
        source=Referral.Source.VOUCHER, order_id="O-1", status=Referral.Status.CONVERTED)
    refused = Referral.objects.create(
        installation=shop, code=code, referrer_email="ann@x.com", referee_email="ann2@x.com",
        source=Referral.Source.VOUCHER, order_id="O-2", status=Referral.Status.REFUSED,
        refusal_reason="self-referral")
    review = Referral.objects.create(
        installation=shop, code=code, referrer_email="ann@x.com", referee_email="cy@x.com",
        source=Referral.Source.METADATA, checkout_id="C-3", status=Referral.Status.REVIEW,
        review_reason="same shipping address")
    for order_id, total, referral in [("O-1", "300.00", converted), ("O-2", "100.00", refused),
                                      ("O-3", "100.00", None), ("O-4", "50.00", None)]:
        CustomerOrder.objects.create(
            installation=shop, order_id=order_id, email=f"{order_id}@x.com", total=Decimal(total),
            currency="USD", status=CustomerOrder.Status.PAID, paid_at=now, referral=referral)
    reward, _ = reward_create(
        installation=shop, key="O-1/order paid/3/referrer", now=now - timedelta(minutes=1),
        action=EntryAction.DECIDED, state=RewardState.REVIEW, reason="big reward",
        fields={"order_id": "O-1", "order_number": "21", "referral_id": converted.pk,
                "rule_line": 3, "rule_label": "big order", "trigger": "order paid",
                "recipient_role": "referrer", "recipient_email": "ann@x.com", "kind": "money",
                "delivery": "gift_card", "amount": Decimal("30.00"), "currency": "USD"})
    return {"reward": reward, "converted": converted, "review": review}


def test_referrals_list_with_rewards_and_status_filter(dash, book):
    rows = dash.get("referrals").json()["referrals"]
    assert [r["referee"] for r in rows] == ["cy@x.com", "ann2@x.com", "bo@x.com"]
    converted = rows[2]
    assert converted["status"] == "converted" and converted["order"] == "O-1"
    assert converted["reward"] == "30.00 USD (review)"
    only_refused = dash.get("referrals", status="refused").json()["referrals"]
    assert [(r["referee"], r["reason"]) for r in only_refused] == [("ann2@x.com", "self-referral")]
    assert dash.get("referrals", status="bogus").status_code == 400


@pytest.mark.parametrize(("fields", "shown"), [
    ({"voucher_type": "free_product", "product": "tote-bag"}, 'free product "tote-bag"'),
    ({"voucher_type": "free_shipping"}, "free shipping voucher"),
    ({"voucher_type": "percent", "percent": Decimal("20.000")}, "20% off voucher"),
    ({"voucher_type": "fixed", "amount": Decimal("15.00"), "currency": "USD"},
     "15.00 USD off voucher"),
])
def test_the_ledger_names_each_voucher_as_the_merchant_would(dash, shop, fields, shown):
    reward_create(
        installation=shop, key="O-9/order paid/4/referrer", now=timezone.now(),
        action=EntryAction.DECIDED, state=RewardState.HELD, reason="voucher reward",
        fields={"order_id": "O-9", "rule_line": 4, "trigger": "order paid",
                "recipient_role": "referrer", "recipient_email": "ann@x.com", "kind": "voucher",
                **fields})
    [row] = dash.get("rewards").json()["rewards"]
    assert row["reward"] == shown


def test_rewards_ledger_filters_by_state_and_email(dash, book):
    assert len(dash.get("rewards").json()["rewards"]) == 1
    assert dash.get("rewards", state="review").json()["rewards"][0]["cause"] == "big order"
    assert dash.get("rewards", state="issued").json()["rewards"] == []
    assert dash.get("rewards", email="nobody").json()["rewards"] == []
    assert dash.get("rewards", state="nonsense").status_code == 400


def test_review_queue_lists_rewards_and_referrals(dash, book):
    items = dash.get("review").json()["items"]
    assert {(i["kind"], i["id"]) for i in items} == {
        ("reward", book["reward"].pk), ("referral", book["review"].pk)}


def test_reject_needs_a_reason_and_is_audited(dash, book):
    path = f"review/reward/{book['reward'].pk}"
    assert dash.post(path, {"decision": "reject"}).status_code == 400
    response = dash.post(path, {"decision": "reject", "reason": "friend is the same person"})
    assert response.status_code == 200
    latest = RewardEntry.objects.filter(reward=book["reward"]).order_by("-seq").first()
    assert (latest.state, latest.actor, latest.reason) == (
        "voided", "ann@shop-a.example.com", "friend is the same person")
    entry = AuditLog.objects.get(action="reward_rejected")
    assert entry.actor_email == "ann@shop-a.example.com"
    assert entry.details == {"reason": "friend is the same person"}
    # Decided once: a second decision is a conflict.
    assert dash.post(path, {"decision": "approve"}).status_code == 409


def test_approving_a_referral_in_review(dash, book):
    response = dash.post(f"review/referral/{book['review'].pk}", {"decision": "approve"})
    assert response.status_code == 200
    book["review"].refresh_from_db()
    assert book["review"].status == "attributed"
    assert book["review"].reviewed_by == "ann@shop-a.example.com"


def test_review_of_another_shops_item_is_404(dash, make_dash, other_shop, other_signer, book):
    token = other_signer.mint_dashboard_token(saleor_api_url=other_shop.saleor_api_url,
                                              app_id=other_shop.app_id)
    other = make_dash(token, api_url=other_shop.saleor_api_url)
    assert other.get("review").json()["items"] == []
    response = other.post(f"review/reward/{book['reward'].pk}", {"decision": "approve"})
    assert response.status_code == 404


def test_overview_headline_figures(dash, book):
    data = dash.get("overview").json()
    # Referred: O-1 (300); the refused O-2 counts as not referred, with O-3 and O-4.
    assert data["currency"] == "USD"
    assert (data["referred_orders"], data["other_orders"]) == (1, 3)
    assert data["referred_average"] == {"amount": "300.00", "currency": "USD"}
    assert data["other_average"] == {"amount": "83.33", "currency": "USD"}
    assert data["reward_cost"] == {"amount": "30.00", "currency": "USD"}
    assert data["cost_share"] == "10.0"


def test_overview_of_a_new_shop_is_empty(dash):
    data = dash.get("overview").json()
    assert data["referred_orders"] == 0 and data["cost_share"] is None


def test_contest_standings(dash, shop):
    contest = Contest.objects.create(
        installation=shop, name="March", starts=date(2026, 3, 1), ends=date(2026, 3, 31),
        score="referrals", prizes=[{"first": 1, "last": 1, "description": "500 USD gift card"}])
    now = timezone.now()
    for email, score in [("ann@x.com", 5), ("bo@x.com", 3)]:
        ContestEntry.objects.create(contest=contest, referrer_email=email, score=Decimal(score),
                                    reached_at=now)
    [shown] = dash.get("contests").json()["contests"]
    assert shown["name"] == "March"
    assert [(s["rank"], s["referrer"], s["prize"]) for s in shown["standings"]] == [
        (1, "ann@x.com", "500 USD gift card"), (2, "bo@x.com", "—")]
