"""A 500 leaves a trace: one error record carrying the request id the response header shows."""

from __future__ import annotations

import json
import logging

import pytest

from plugin.dashboard import selectors
from plugin.log_format import JsonFormatter
from plugin.request_context import RequestContextFilter


@pytest.fixture
def crashing_overview(monkeypatch, client):
    def crash(**_kwargs):
        raise RuntimeError("the overview query broke")

    monkeypatch.setattr(selectors, "dashboard_overview", crash)
    client.raise_request_exception = False  # answer as production does, not re-raise


def test_an_unhandled_error_is_one_error_record_with_the_response_request_id(
        dash, shop, crashing_overview, caplog, settings):
    settings.DEBUG = False
    caplog.set_level(logging.INFO)

    response = dash.get("overview")

    assert response.status_code == 500
    request_id = response["X-Request-Id"]
    assert response.json() == {"error": "internal error", "request_id": request_id}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    record = errors[0]
    assert record.request_id == request_id
    assert (record.method, record.path) == ("GET", "/dashboard/api/overview")
    assert record.installation_id == shop.pk
    assert record.exc_info[0] is RuntimeError


def test_the_error_record_as_json_names_request_installation_and_exception(
        dash, shop, crashing_overview, caplog, settings):
    settings.DEBUG = False
    response = dash.get("overview")
    record = next(r for r in caplog.records if r.levelno >= logging.ERROR)

    line = json.loads(JsonFormatter().format(record))

    assert line["level"] == "ERROR"
    assert line["request_id"] == response["X-Request-Id"]
    assert line["installation_id"] == shop.pk
    assert line["method"] == "GET" and line["path"] == "/dashboard/api/overview"
    assert "RuntimeError: the overview query broke" in line["exception"]


def test_records_written_during_a_request_carry_its_id(dash, caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestContextFilter())

    response = dash.client.get("/dashboard/api/overview", headers={"authorization-bearer": "x",
                                                                   "saleor-api-url": "nowhere"})

    refused = [r for r in caplog.records if r.name == "plugin.dashboard.auth"]
    assert refused and refused[0].request_id == response["X-Request-Id"]


def test_a_proxy_given_request_id_is_kept_and_a_strange_one_replaced(client, db):
    kept = client.get("/healthz", headers={"X-Request-Id": "edge-4f9a2c1b77"})
    replaced = client.get("/healthz", headers={"X-Request-Id": "bad id\nwith newline"})

    assert kept["X-Request-Id"] == "edge-4f9a2c1b77"
    assert len(replaced["X-Request-Id"]) == 32 and "\n" not in replaced["X-Request-Id"]


def test_a_not_found_stays_a_404_and_is_not_an_error(client, db, caplog, settings):
    settings.DEBUG = False

    response = client.get("/dashboard/assets/settings.py")

    assert response.status_code == 404
    assert not [r for r in caplog.records if r.name == "plugin.requests"]
