"""The Partners endpoints: create a partner (with a code, link and QR), refuse a program that
gives to anyone but the affiliate, the month's statement as JSON and CSV, and marking it paid."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from plugin.affiliates.models import Partner
from plugin.affiliates.services import partner_create
from plugin.programs.models import AuditLog
from plugin.referrals.models import ReferralSettings
from plugin.rewards.lifecycle import rewards_release
from plugin.saleor.captures import captured_delivery
from plugin.use_cases.affiliate_commission import order_commission_process
from plugin.use_cases.rewards import RewardDeps, order_event_process
from tests.plugin.dashboard.conftest import SHOP_APP_ID, SHOP_URL

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 18, 58, 30, tzinfo=UTC)


def _sell(shop, code: str) -> None:
    """Captured order #21 placed, paid and fulfilled with the partner's code on it."""
    for event in ("ORDER_CREATED", "ORDER_FULLY_PAID", "ORDER_FULFILLED"):
        delivery = captured_delivery(event, 1)
        payload = json.loads(delivery.body)
        payload["order"]["metadata"] = [{"key": "referral_code", "value": code}]
        at = datetime.fromisoformat(delivery.received_at)
        order_event_process(installation=shop, event=event, payload=payload,
                            deps=RewardDeps(clock=lambda at=at: at))
        order_commission_process(installation=shop, event=event, payload=payload,
                                 clock=lambda at=at: at)


def test_a_partner_is_created_with_a_code_a_link_and_a_qr(dash, client, shop):
    ReferralSettings.objects.create(installation=shop, storefront_url="https://shop.example/")
    made = dash.post("partners/new", {"name": "Nora Blogs", "email": "nora@blog.example",
                                      "kind": "blogger"})
    assert made.status_code == 201, made.content
    partner = made.json()["partner"]
    [code] = partner["codes"]
    assert code["code"].startswith("NORA-") and len(code["code"]) == len("NORA-") + 19
    assert "commission" in partner["program_source"]  # the ready program
    assert AuditLog.objects.get(action="partner_created").details["code"] == code["code"]

    link = client.get(code["link"].split("testserver", 1)[1])
    assert link.status_code == 302 and link["Location"] == f"https://shop.example/?ref={code['code']}"
    qr = client.get(code["qr_svg"].split("testserver", 1)[1])
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"

    path = code["link"].split("testserver", 1)[1]
    client.get(path)  # the same visitor again the same day counts once
    client.get(path, {"via": "qr"}, headers={"user-agent": "a phone's camera"})
    listed = dash.get("partners").json()["partners"]
    assert [p["name"] for p in listed] == ["Nora Blogs"]
    assert listed[0]["visits"] == {"link": 1, "qr": 1}
    second = dash.post(f"partners/{partner['id']}/codes", {"label": "Instagram"})
    assert second.status_code == 201
    off = dash.post(f"partner-codes/{code['id']}/deactivate")
    assert off.status_code == 200 and off.json()["code"]["active"] is False
    assert client.get(code["link"].split("testserver", 1)[1]).status_code == 404


def test_a_program_that_rewards_someone_else_is_refused_with_its_position(dash, shop):
    bad = 'on order paid when referred:\n    give referrer 5 USD\n'
    refused = dash.post("partners/new", {"name": "Pat", "email": "pat@x.example",
                                         "program_source": bad})
    assert refused.status_code == 400
    [problem] = [d for d in refused.json()["diagnostics"] if d["severity"] == "error"]
    assert problem["line"] == 2 and "only to affiliate" in problem["message"]
    assert not Partner.objects.exists()
    checked = dash.post("partners/check", {"program_source": bad.replace("referrer", "affiliate")})
    assert checked.json()["ok"] is True


def test_the_months_statement_csv_and_marking_it_paid(dash, shop, time_machine, make_dash,
                                                      signer):
    partner = partner_create(installation=shop, name="Nora", email="nora@blog.example", now=T0)
    _sell(shop, partner.codes.get().code)
    rewards_release(now=T0 + timedelta(days=31))

    statement = dash.get(f"partners/{partner.pk}/statement", period="2026-12").json()
    [totals] = statement["totals"]
    commission = totals["commission"]["amount"]
    assert totals["net"] == {"amount": commission, "currency": "USD"} and commission != "0.00"
    assert [line["order_number"] for line in statement["lines"]] == ["21"]
    november = dash.get(f"partners/{partner.pk}/statement", period="2026-11").json()
    assert november["totals"][0]["orders"] == 1 and november["lines"] == []

    download = dash.get(f"partners/{partner.pk}/statement.csv", period="2026-12")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert rows[1][0] == "commission" and rows[1][7] == commission
    assert ["total net", "", "", "", "", "", "USD", commission, ""] in rows

    time_machine.move_to(datetime(2027, 1, 3, tzinfo=UTC), tick=False)  # December is over
    dash = make_dash(signer.mint_dashboard_token(saleor_api_url=SHOP_URL, app_id=SHOP_APP_ID,
                                                 email="ann@shop-a.example.com"))
    paid = dash.post(f"partners/{partner.pk}/payouts", {"period": "2026-12",
                                                        "reference": "SEPA 77"})
    assert paid.status_code == 201, paid.content
    assert paid.json()["payouts"][0]["net"]["amount"] == commission
    again = dash.post(f"partners/{partner.pk}/payouts", {"period": "2026-12"})
    assert again.status_code == 409 and "already paid" in again.json()["error"]
    assert AuditLog.objects.get(action="payout_marked_paid").actor_email == "ann@shop-a.example.com"
    assert dash.get(f"partners/{partner.pk}/statement", period="2026-13").status_code == 400


def test_another_shops_partner_is_not_found(dash, other_shop):
    stranger = partner_create(installation=other_shop, name="Other", email="o@x.example", now=T0)
    assert dash.get(f"partners/{stranger.pk}/statement", period="2026-12").status_code == 404
    assert dash.post(f"partners/{stranger.pk}", {"active": False}).status_code == 404
    assert dash.get("partners").json()["partners"] == []
