"""The settings page (validated, audited, errors per field) and the codes tools (look up,
deactivate, rotate a leaked code), through the dashboard API as the page calls it."""

from __future__ import annotations

import pytest
from django.test import override_settings

from plugin.programs.models import AuditLog
from plugin.referrals.models import ReferralCode, ReferralSettings
from plugin.referrals.selectors import referral_code_get
from plugin.referrals.services import referral_code_create

pytestmark = pytest.mark.django_db


def test_settings_show_defaults_before_anything_is_saved(dash):
    body = dash.get("settings").json()
    assert body["saved"] is False
    assert body["settings"]["attribution_days"] == 30
    assert body["settings"]["storefront_url"] == ""
    assert body["settings"]["code_voucher_percent"] == "5"


def test_settings_save_changes_and_audits_only_what_changed(dash, shop):
    response = dash.put("settings/save", {
        "storefront_url": "https://shop.example.com/", "attribution_days": 14,
        "velocity_per_day": "5", "code_voucher_percent": "10.5", "code_param": "ref"})
    assert response.status_code == 200, response.json()
    assert response.json()["changed"] == [
        "attribution_days", "code_voucher_percent", "storefront_url", "velocity_per_day"]
    stored = ReferralSettings.objects.get(installation=shop)
    assert (stored.storefront_url, stored.attribution_days, stored.velocity_per_day,
            str(stored.code_voucher_percent)) == ("https://shop.example.com/", 14, 5, "10.50")
    [entry] = AuditLog.objects.filter(installation=shop, action="settings_changed")
    assert entry.actor_email == "ann@shop-a.example.com"
    assert entry.details["changed"]["attribution_days"] == [30, 14]
    again = dash.put("settings/save", {"attribution_days": 14})
    assert again.json()["changed"] == []
    assert AuditLog.objects.filter(action="settings_changed").count() == 1


@pytest.mark.parametrize(("body", "field", "reason"), [
    ({"storefront_url": "http://shop.example.com/"}, "storefront_url", "https://"),
    ({"storefront_url": "http://localhost:3000/"}, "storefront_url", "https://"),
    ({"storefront_url": "shop.example.com"}, "storefront_url", "full web address"),
    ({"storefront_url": "https://a:b@shop.example.com/"}, "storefront_url", "password"),
    ({"storefront_url": "javascript:alert(1)"}, "storefront_url", "full web address"),
    ({"attribution_days": 0}, "attribution_days", "between 1 and 365"),
    ({"attribution_days": 2.5}, "attribution_days", "whole number"),
    ({"velocity_per_day": True}, "velocity_per_day", "whole number"),
    ({"code_voucher_percent": "101"}, "code_voucher_percent", "between 0 and 100"),
    ({"code_voucher_percent": "NaN"}, "code_voucher_percent", "between 0 and 100"),
    ({"code_voucher_percent": "1.234"}, "code_voucher_percent", "two decimals"),
    ({"code_param": "r&x"}, "code_param", "letter"),
])
def test_bad_settings_are_refused_per_field_and_nothing_is_saved(dash, shop, body, field,
                                                                 reason):
    response = dash.put("settings/save", {"attribution_days": 20, **body})
    assert response.status_code == 422
    assert reason in response.json()["fields"][field]
    assert not ReferralSettings.objects.filter(installation=shop).exists()


@override_settings(DEBUG=True)
def test_plain_http_storefront_only_for_localhost_while_developing(dash):
    assert dash.put("settings/save", {"storefront_url": "http://localhost:3000/"}
                    ).status_code == 200
    assert dash.put("settings/save", {"storefront_url": "http://shop.example.com/"}
                    ).status_code == 422


def test_settings_writes_need_manage_discounts_and_refuse_unknown_fields(dash, make_dash,
                                                                        signer):
    weak = signer.mint_dashboard_token(
        saleor_api_url="https://shop-a.example.com/graphql/", app_id="QXBwOjc=",
        permissions=("MANAGE_ORDERS",), user_permissions=("MANAGE_ORDERS",))
    assert make_dash(weak).put("settings/save", {"attribution_days": 3}).status_code == 403
    assert make_dash(weak).get("settings").status_code == 200
    assert dash.put("settings/save", {"installation": 2}).status_code == 400


@pytest.fixture
def alice(shop):
    return referral_code_create(installation=shop, customer_id="VXNlcjox",
                                email="Alice@Example.com", name="Alice")


def test_lookup_by_code_any_spelling_or_by_email(dash, alice, other_shop):
    referral_code_create(installation=other_shop, customer_id="", email="alice@example.com",
                         code=alice.code)
    by_code = dash.get("codes", q=alice.code.lower()).json()["codes"]
    assert [c["code"] for c in by_code] == [alice.code]
    assert by_code[0]["owner_email"] == "alice@example.com"
    assert by_code[0]["link"].endswith(f"/r/{alice.code}?shop={alice.installation_id}")
    assert by_code[0]["stats"]["visits"] == 0
    by_email = dash.get("codes", q="ALICE@example.com").json()["codes"]
    assert [c["id"] for c in by_email] == [alice.pk]  # only this shop's codes
    assert dash.get("codes", q="NOPE-1234").json()["codes"] == []
    assert dash.get("codes", q="").status_code == 400


def test_rotate_a_leaked_code_keeps_the_owner_and_audits(dash, shop, alice):
    response = dash.post(f"codes/{alice.pk}/rotate")
    assert response.status_code == 201
    fresh = response.json()["code"]
    assert fresh["code"] != alice.code and fresh["active"] and fresh["rotated_from"] == alice.code
    assert referral_code_get(installation=shop, code=alice.code) is None
    assert referral_code_get(installation=shop, code=fresh["code"]).owner_email == (
        "alice@example.com")
    listed = dash.get("codes", q=alice.code).json()["codes"]
    assert [(c["code"], c["active"]) for c in listed] == [(fresh["code"], True),
                                                          (alice.code, False)]
    [entry] = AuditLog.objects.filter(installation=shop, action="code_rotated")
    assert entry.details == {"old": alice.code, "new": fresh["code"],
                             "owner": "alice@example.com"}
    assert dash.post(f"codes/{alice.pk}/rotate").status_code == 409
    [shown] = [e for e in dash.get("audit").json()["entries"] if e["action"] == "code_rotated"]
    assert shown["action_label"] == "Code rotated"
    assert shown["object"] == f"referral_code:{alice.pk}"


def test_deactivate_stops_the_code_and_is_refused_twice(dash, shop, alice):
    response = dash.post(f"codes/{alice.pk}/deactivate")
    assert response.status_code == 200 and response.json()["code"]["active"] is False
    assert not ReferralCode.objects.get(pk=alice.pk).active
    assert AuditLog.objects.filter(action="code_deactivated", object_id=str(alice.pk)).exists()
    assert dash.post(f"codes/{alice.pk}/deactivate").status_code == 409


def test_codes_of_another_shop_cannot_be_touched(dash, other_shop):
    theirs = referral_code_create(installation=other_shop, customer_id="", email="z@x.com")
    assert dash.post(f"codes/{theirs.pk}/rotate").status_code == 404
    assert dash.post(f"codes/{theirs.pk}/deactivate").status_code == 404
    assert ReferralCode.objects.get(pk=theirs.pk).active
