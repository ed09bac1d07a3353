"""The Best customers section: counts per segment, the advocates ranked and filtered, the CSV
download (escaped, formulas neutralised, same order as the page) and a recompute on demand;
another shop's customers never appear."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from plugin.dashboard.csv_export import csv_cell, csv_lines
from plugin.segments.models import CustomerSegment
from plugin.segments.services import segments_recompute
from tests.plugin.segments.history import START, order, referred_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(shop, other_shop):
    """Eight customers of shop A (ann referred two friends who bought), and one of shop B."""
    for n in range(5):
        order(shop, f"once{n}@x.com", day=10 + n, total="20")
    for day in (40, 50, 60):
        order(shop, "ann@x.com", day=day, total="90")
    referred_order(shop, referrer="ann@x.com", referee="bo@x.com", day=61, total="30")
    referred_order(shop, referrer="ann@x.com", referee="cy@x.com", day=62, total="35")
    order(other_shop, "ann@x.com", day=70, total="999")
    segments_recompute(installation=shop, now=START + timedelta(days=70))
    segments_recompute(installation=other_shop, now=START + timedelta(days=70))
    return shop


def test_counts_every_segment_and_ranks_the_best_advocate_first(dash, customers):
    data = dash.get("segments").json()

    assert data["customers"] == 8 and data["total"] == 8
    assert [s["segment"] for s in data["segments"]] == [
        "champions", "loyal", "new", "promising", "at_risk", "asleep"]
    assert sum(s["customers"] for s in data["segments"]) == 8
    first = data["advocates"][0]
    assert first["email"] == "ann@x.com" and first["rank"] == 1
    assert (first["orders"], first["referrals"], first["converted"]) == (3, 2, 2)
    assert first["spent"] == {"amount": "270.00", "currency": "USD"}
    assert first["referred_revenue"] == {"amount": "65.00", "currency": "USD"}
    scores = [row["advocate_score"] for row in data["advocates"]]
    assert scores == sorted(scores, reverse=True)
    assert data["computed_at"] == (START + timedelta(days=70)).isoformat()


def test_filter_by_segment_and_page_through(dash, customers):
    segment = CustomerSegment.objects.get(installation=customers, email="once0@x.com").segment
    members = set(CustomerSegment.objects.filter(installation=customers, segment=segment)
                  .values_list("email", flat=True))

    data = dash.get("segments", segment=segment, limit=1).json()
    assert data["segment"] == segment and data["total"] == len(members)
    assert {row["segment"] for row in data["advocates"]} == {segment}
    second = dash.get("segments", segment=segment, limit=1, offset=1).json()["advocates"]
    assert second[0]["rank"] == 2 and second[0]["email"] != data["advocates"][0]["email"]

    refused = dash.get("segments", segment="vip")
    assert refused.status_code == 400 and "unknown segment 'vip'" in refused.json()["error"]
    assert dash.get("segments", limit=0).status_code == 400


def test_another_shops_customers_never_show(dash, customers):
    emails = [row["email"] for row in dash.get("segments", limit=1000).json()["advocates"]]
    assert emails.count("ann@x.com") == 1
    rows = list(csv.reader(io.StringIO(_download(dash))))
    assert [row[1] for row in rows].count("ann@x.com") == 1
    assert "999.00" not in {row[12] for row in rows}


def _download(dash, **params) -> str:
    response = dash.get("segments/advocates.csv", **params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="advocates-')
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_csv_has_the_page_order_and_every_customer(dash, customers):
    rows = list(csv.reader(io.StringIO(_download(dash))))
    page = dash.get("segments", limit=1000).json()["advocates"]

    assert rows[0][:5] == ["rank", "email", "customer_id", "segment", "advocate_score"]
    assert [row[1] for row in rows[1:]] == [row["email"] for row in page]
    ann = rows[1]
    assert (ann[0], ann[1], ann[8], ann[12], ann[13], ann[14], ann[15]) == (
        "1", "ann@x.com", "3", "270.00", "2", "2", "65.00")
    only = list(csv.reader(io.StringIO(_download(dash, segment=page[-1]["segment"]))))
    assert {row[3] for row in only[1:]} == {page[-1]["segment"]}
    assert dash.get("segments/advocates.csv", segment="x").status_code == 400


def test_csv_cells_that_a_spreadsheet_would_run_stay_text(dash, shop):
    hostile = "=HYPERLINK(\"http://evil\",\"x\")@x.com"
    order(shop, hostile, day=1, total="10")
    order(shop, "plain@x.com", day=2, total="10")
    segments_recompute(installation=shop, now=START + timedelta(days=3))
    CustomerSegment.objects.filter(installation=shop, email="plain@x.com").update(
        customer_id='@SUM(1,2)\n"quoted", and more')

    rows = {row[1].lstrip("'"): row for row in csv.reader(io.StringIO(_download(dash)))}

    evil = rows[hostile.lower()]
    assert evil[1] == "'" + hostile.lower()
    assert rows["plain@x.com"][2] == '\'@SUM(1,2)\n"quoted", and more'


@pytest.mark.parametrize(("value", "written"), [
    ("=1+2", "'=1+2"), ("+31 6 1234", "'+31 6 1234"), ("-5", "'-5"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, ""), (-5, -5), (7, 7),
])
def test_only_text_cells_that_start_a_formula_are_guarded(value, written):
    assert csv_cell(value) == written


def test_commas_quotes_and_line_breaks_survive_a_round_trip():
    cells = ['a,b', 'say "hi"', "two\nlines", "=x", "plain"]
    text = "".join(csv_lines(["h1", "h2", "h3", "h4", "h5"], [cells]))
    assert list(csv.reader(io.StringIO(text)))[1] == ['a,b', 'say "hi"', "two\nlines", "'=x",
                                                      "plain"]


def test_recompute_on_demand_fills_the_list(dash, shop, django_capture_on_commit_callbacks):
    order(shop, "new@x.com", day=1, total="10")
    assert dash.get("segments").json()["customers"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = dash.post("segments/recompute")

    assert response.status_code == 202
    data = dash.get("segments").json()
    assert data["customers"] == 1 and data["advocates"][0]["email"] == "new@x.com"
