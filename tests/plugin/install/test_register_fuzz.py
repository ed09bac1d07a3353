"""Generated install requests (bodies and headers) against /api/register: never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tests.plugin.hostile_json import NASTY_TEXT, bodies, bounded, mutated
from tests.plugin.install.test_register import ALLOW_CAPTURED, REGISTER, whoami_of_this_app

pytestmark = pytest.mark.django_db
API_URLS = ["http://127.0.0.1:8000/graphql/", "HTTP://127.0.0.1:8000/graphql", "http://[::1]/",
            "ftp://x/", "http://10.0.0.1/graphql/", "javascript:alert(1)", "http://a" * 200]


@pytest.fixture
def saleor(fake_saleor):
    fake_saleor.on("AppWhoami", data=whoami_of_this_app())
    return fake_saleor


@override_settings(**ALLOW_CAPTURED)
@bounded(80)
@given(body=bodies(["auth_token"]) | mutated(REGISTER["body"]).map(
           lambda value: json.dumps(value).encode()),
       api_url=st.sampled_from(API_URLS) | st.sampled_from(NASTY_TEXT) | st.text(max_size=40),
       domain=st.text(max_size=30))
def test_no_install_request_answers_a_500(client, saleor, body, api_url, domain):
    caches["rate_limits"].clear()  # a refusal for speed would hide the rest
    headers = {"HTTP_SALEOR_API_URL": api_url, "HTTP_SALEOR_DOMAIN": domain}

    try:
        response = client.post("/api/register", data=body, content_type="application/json",
                               **headers)
    except ValueError as exc:  # the test client itself refuses headers no HTTP server passes
        assert "header" in str(exc).lower() or "newline" in str(exc).lower()
        return

    assert response.status_code < 500, response.content[:300]
    assert response.json().get("error") or response.status_code == 200

