"""The program endpoints as the page calls them: draft, publish (refused on errors or failing
examples), rollback, versions, diff, and the audit log naming the staff user."""

from __future__ import annotations

import pytest

from plugin.programs.models import AuditLog, ProgramVersion
from plugin.programs.selectors import program_published

pytestmark = pytest.mark.django_db


def publish(dash, source):
    return dash.post("program/publish", {"source": source})


def test_new_shop_gets_a_starter_draft_that_checks_and_nothing_live(dash):
    data = dash.get("program").json()
    assert data["program"]["live_version"] is None
    assert data["versions"] == []
    starter = data["program"]["draft"]
    assert dash.post("check", {"source": starter}).json()["ok"] is True
    assert all(e["passed"] for e in dash.post("examples", {"source": starter}).json()["examples"])


def test_draft_is_saved_as_typed_even_when_broken(dash, sources):
    response = dash.put("program/draft", {"source": sources.BROKEN})
    assert response.status_code == 200
    assert dash.get("program").json()["program"]["draft"] == sources.BROKEN


def test_draft_needs_a_source_string(dash):
    response = dash.put("program/draft", {"source": 12})
    assert response.status_code == 400
    assert "'source' must be a string" in response.json()["error"]


def test_body_that_is_not_json_is_400(dash, client, staff_token):
    response = client.post("/dashboard/api/check", data=b"{nope", content_type="application/json",
                           headers={"authorization-bearer": staff_token,
                                    "saleor-api-url": "https://shop-a.example.com/graphql/"})
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]


def test_publish_refused_on_check_errors_with_positions(dash, shop, sources):
    response = publish(dash, sources.BROKEN)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "the program has errors"
    assert [(d["line"], d["column"]) for d in body["diagnostics"]] == [(4, 19)]
    assert program_published(installation=shop) is None


def test_publish_refused_when_an_example_fails(dash, shop, sources):
    response = publish(dash, sources.FAILING_EXAMPLE)
    assert response.status_code == 422
    body = response.json()
    assert body["examples"][0]["passed"] is False
    assert "got referrer gets 10.00 USD" in body["examples"][0]["message"]
    assert not ProgramVersion.objects.exists()


def test_publish_then_rollback_then_diff(dash, shop, sources):
    first = publish(dash, sources.VALID)
    assert first.status_code == 201
    assert first.json()["version"]["number"] == 1
    assert first.json()["version"]["static_report"]["worst_case_text"] == {"order paid": "10 USD"}
    assert publish(dash, sources.VALID_V2).json()["version"]["number"] == 2

    listing = dash.get("program").json()
    assert [(v["number"], v["is_live"]) for v in listing["versions"]] == [(2, True), (1, False)]
    assert listing["versions"][0]["published_by"] == "ann@shop-a.example.com"

    rolled = dash.post("program/rollback", {"number": 1})
    assert rolled.status_code == 200
    assert rolled.json()["program"]["live_version"] == 1
    assert program_published(installation=shop)[0].number == 1

    diff = dash.get("program/diff", a=1, b=2).json()["diff"]
    assert "-    give referrer 10 USD" in diff and "+    give referrer 15 USD" in diff
    against_draft = dash.get("program/diff", a=1, b="draft").json()["diff"]
    assert against_draft.splitlines()[1] == "+++ draft"


def test_rollback_to_a_missing_version_is_404(dash, sources):
    publish(dash, sources.VALID)
    response = dash.post("program/rollback", {"number": 7})
    assert response.status_code == 404
    assert "version 7" in response.json()["error"]


def test_diff_needs_both_versions(dash, sources):
    publish(dash, sources.VALID)
    assert dash.get("program/diff", a=1).status_code == 400
    assert dash.get("program/diff", a=1, b="x").status_code == 400


def test_version_source_can_be_read_back(dash, sources):
    publish(dash, sources.VALID)
    data = dash.get("program/versions/1").json()
    assert data["source"] == sources.VALID


def test_audit_log_records_the_staff_user_on_every_change(dash, sources):
    dash.put("program/draft", {"source": sources.BROKEN})
    publish(dash, sources.BROKEN)
    publish(dash, sources.VALID)
    publish(dash, sources.VALID_V2)
    dash.post("program/rollback", {"number": 1})
    entries = dash.get("audit").json()["entries"]
    actions = [e["action"] for e in entries]
    assert actions == ["rolled_back", "published", "draft_saved", "published", "draft_saved",
                       "publish_refused", "draft_saved"]
    assert {e["actor"] for e in entries} == {"ann@shop-a.example.com"}
    assert {e["actor_id"] for e in entries} == {"VXNlcjo1"}


def test_shops_never_see_each_others_programs(dash, make_dash, other_shop, other_signer, sources):
    publish(dash, sources.VALID)
    token_b = other_signer.mint_dashboard_token(saleor_api_url=other_shop.saleor_api_url,
                                                app_id=other_shop.app_id)
    shop_b = make_dash(token_b, api_url=other_shop.saleor_api_url)
    data = shop_b.get("program").json()
    assert data["versions"] == [] and data["program"]["draft"] != sources.VALID
    assert shop_b.get("audit").json()["entries"] == []
    assert shop_b.post("program/rollback", {"number": 1}).status_code == 404
    assert AuditLog.objects.filter(installation=other_shop).count() == 0
