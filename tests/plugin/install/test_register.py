"""POST /api/register: Saleor's real install request, the SSRF guard, token checks, encryption."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from plugin.install.manifest import manifest_template
from plugin.install.models import Installation
from plugin.saleor.captures import captured_jwks
from tests.captured_saleor import load_json

REGISTER = load_json("install/register.json")
CAPTURED_TOKEN = REGISTER["body"]["auth_token"]
ALLOW_CAPTURED = {"ALLOWED_SALEOR_URLS": ["http://127.0.0.1:8000/graphql/"],
                  "ALLOW_PRIVATE_SALEOR_URLS": True}


def whoami_of_this_app() -> dict[str, Any]:
    """The captured `{ app { ... } }` answer for the registered token; its identifier is the
    manifest id of the app that was installed, so it becomes this app's id here."""
    data = copy.deepcopy(load_json("install/results.json")["register_token_whoami"]["data"])
    data["app"]["identifier"] = manifest_template()["id"]
    return data


def post_register(client, *, body: Any = None, headers: dict[str, str] | None = None):
    sent_headers = dict(REGISTER["headers"]) if headers is None else headers
    raw = json.dumps(REGISTER["body"] if body is None else body)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sent_headers.items()
             if k not in {"Content-Type", "Content-Length", "Host"}}
    return client.post("/api/register", data=raw, content_type="application/json", **extra)


@pytest.fixture
def saleor(fake_saleor):
    fake_saleor.on("AppWhoami", data=whoami_of_this_app())
    return fake_saleor


def raw_token_column(installation: Installation) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auth_token_encrypted FROM install_installation WHERE id = %s",
            [installation.pk],
        )
        return cursor.fetchone()[0]


@override_settings(**ALLOW_CAPTURED)
def test_the_captured_install_request_creates_an_installation(client, saleor, db):
    response = post_register(client)

    assert response.status_code == 200, response.content
    installation = Installation.objects.get()
    assert installation.saleor_api_url == "http://127.0.0.1:8000/graphql/"
    assert installation.domain == "127.0.0.1:8000"
    assert installation.app_id == "QXBwOjQ="
    assert installation.jwks == captured_jwks()
    assert installation.jwks_fetched_at is not None
    assert installation.is_active
    assert installation.auth_token == CAPTURED_TOKEN
    # Saleor was asked who the token is, with that token
    (whoami,) = saleor.calls("AppWhoami")
    assert whoami.headers["authorization"] == f"Bearer {CAPTURED_TOKEN}"


@override_settings(**ALLOW_CAPTURED)
def test_the_token_is_encrypted_at_rest(client, saleor, db):
    post_register(client)
    raw = raw_token_column(Installation.objects.get())

    assert raw and CAPTURED_TOKEN not in raw
    assert CAPTURED_TOKEN[:10] not in raw


@override_settings(**ALLOW_CAPTURED)
def test_a_reinstall_replaces_the_token(client, saleor, db):
    post_register(client)
    first_raw = raw_token_column(Installation.objects.get())
    response = post_register(client, body={"auth_token": "n" * 30})

    assert response.status_code == 200
    installation = Installation.objects.get()
    assert installation.auth_token == "n" * 30
    assert raw_token_column(installation) != first_raw


@override_settings(**ALLOW_CAPTURED)
def test_another_app_cannot_take_over_while_the_installed_token_works(client, saleor, db):
    post_register(client)
    other_app = whoami_of_this_app()
    other_app["app"]["id"] = "QXBwOjk5"

    def whoami(variables):
        return whoami_of_this_app() if saleor.calls("AppWhoami")[-1].headers[
            "authorization"
        ] == f"Bearer {CAPTURED_TOKEN}" else other_app

    saleor.on("AppWhoami", whoami)
    response = post_register(client, body={"auth_token": "x" * 30})

    assert response.status_code == 409
    assert Installation.objects.get().auth_token == CAPTURED_TOKEN


@override_settings(**ALLOW_CAPTURED)
def test_a_token_of_another_apps_manifest_is_refused(client, fake_saleor, db):
    # As captured: the token belongs to an app installed from a different manifest id.
    fake_saleor.on("AppWhoami", data=load_json("install/results.json")["register_token_whoami"]
                   ["data"])
    response = post_register(client)

    assert response.status_code == 403
    assert "another app" in response.json()["error"]
    assert not Installation.objects.exists()


@override_settings(**ALLOW_CAPTURED)
@pytest.mark.parametrize(
    "answer",
    [
        {"data": {"app": None}},
        {
            "errors": [{"message": "no", "extensions": {"code": "PermissionDenied"}}],
            "data": None,
        },
    ],
    ids=["no-app", "permission-denied"],
)
def test_a_token_saleor_does_not_recognise_is_refused(client, fake_saleor, db, answer):
    fake_saleor.on("AppWhoami", data=answer.get("data"), errors=answer.get("errors"))
    response = post_register(client)

    assert response.status_code == 403
    assert not Installation.objects.exists()


@override_settings(**ALLOW_CAPTURED)
def test_saleor_down_is_a_passing_failure(client, saleor, db):
    saleor.fail_next(10, status=502)
    response = post_register(client)

    assert response.status_code == 503
    assert not Installation.objects.exists()


@override_settings(**ALLOW_CAPTURED)
def test_jwks_unreachable_is_a_passing_failure(client, saleor, db):
    saleor.jwks = {"not": "a key set"}
    response = post_register(client)

    assert response.status_code == 503
    assert "JWKS" in response.json()["error"]
    assert not Installation.objects.exists()


@override_settings(ALLOWED_SALEOR_URLS=["https://*.saleor.cloud/graphql/"],
                   ALLOW_PRIVATE_SALEOR_URLS=True)
def test_a_saleor_outside_the_allow_list_is_refused_before_any_call(client, fake_saleor, db):
    response = post_register(client)

    assert response.status_code == 403
    assert "ALLOWED_SALEOR_URLS" in response.json()["error"]
    assert fake_saleor.requests == []


@override_settings(ALLOWED_SALEOR_URLS=["*"], ALLOW_PRIVATE_SALEOR_URLS=False)
def test_a_loopback_saleor_is_refused_unless_allowed(client, fake_saleor, db):
    response = post_register(client)

    assert response.status_code == 403
    assert "private or loopback" in response.json()["error"]
    assert fake_saleor.requests == []


@override_settings(**ALLOW_CAPTURED)
@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ("not json", None, 400),
        ({"token": "x"}, None, 400),
        ({"auth_token": ""}, None, 400),
        ({"auth_token": "x" * 600}, None, 400),
        (None, {"Saleor-Domain": "127.0.0.1:8000"}, 400),
    ],
    ids=["not-json", "no-auth-token", "empty-token", "huge-token", "no-api-url"],
)
def test_malformed_requests_get_a_4xx_with_a_reason(client, fake_saleor, db, body, headers, status):
    if body == "not json":
        extra = {"HTTP_SALEOR_API_URL": "http://127.0.0.1:8000/graphql/"}
        response = client.post("/api/register", data="{", content_type="application/json", **extra)
    else:
        response = post_register(client, body=body, headers=headers)

    assert response.status_code == status
    assert response.json()["error"]
    assert not Installation.objects.exists()


def test_register_only_takes_post(client, db):
    assert client.get("/api/register").status_code == 405


@override_settings(**ALLOW_CAPTURED)
def test_register_attempts_are_rate_limited_per_address(
    client, fake_saleor, db, frozen_rate_window
):
    fake_saleor.on("AppWhoami", data={"app": None})
    statuses = [post_register(client).status_code for _ in range(21)]

    assert statuses[:20] == [403] * 20
    assert statuses[20] == 429
    assert len(fake_saleor.calls("AppWhoami")) == 20  # the 21st never reached Saleor


DATABASE_COUNTERS = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                    "LOCATION": "referrals_rate_limits"},
}


@override_settings(**ALLOW_CAPTURED, CACHES=DATABASE_COUNTERS)
def test_in_production_the_counters_are_shared_by_every_worker(
    client, fake_saleor, db, frozen_rate_window
):
    from django.core.cache import caches
    from django.core.management import call_command

    from plugin.install.cache_tables import cache_tables_create

    cache_tables_create()  # what every `migrate` runs
    call_command("createcachetable", verbosity=0)  # a second run changes nothing
    fake_saleor.on("AppWhoami", data={"app": None})
    statuses = [post_register(client).status_code for _ in range(15)]
    # A fresh connection to the store, as another worker process has: the same table.
    caches["rate_limits"].close()
    del caches["rate_limits"]
    statuses += [post_register(client).status_code for _ in range(6)]

    assert statuses[:20] == [403] * 20 and statuses[20] == 429
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM referrals_rate_limits")
        assert cursor.fetchone()[0] >= 1
