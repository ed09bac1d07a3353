"""Generated requests against the storefront API: GraphQL errors or data, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.plugin.api.conftest import SALEOR_API_URL
from tests.plugin.hostile_json import RAW_BODIES, bounded, json_values, mutated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def unlimited(settings):
    """The rate limits would answer most generated requests with a 429 and hide the rest."""
    settings.STOREFRONT_RATE_PER_ADDRESS = settings.STOREFRONT_RATE_PER_SHOPPER = "1000000/m"

DOCUMENTS = [
    "{ myReferral { referral { code link visits earnings { amount currency } } errors { code } } }",
    "query($c: String!) { referralCodeValidate(code: $c) { valid code errors { code } } }",
    "query($n: Int) { leaderboard(limit: $n) { entries { rank name score } errors { code } } }",
    "mutation($p: Int!) { redeemPoints(points: $p) { voucherCode points errors { code } } }",
    "mutation($name: String) { leaderboardOptIn(name: $name) { leaderboardName errors { code } } }",
    "{ myRewards { rewards { id kind state amount { amount } } errors { code } } }",
    "{ pointsBalance { points errors { code } } }",
]
GOOD = {"query": DOCUMENTS[1], "variables": {"c": "ANN-2345", "n": 10, "p": 5, "name": "Ann"},
        "operationName": None}

documents = st.sampled_from(DOCUMENTS) | st.text(max_size=200) | st.sampled_from(
    ["{", "{ a" * 300, "query { __schema { types { name } } }", "subscription { x }",
     "{ leaderboard(limit: 99999999999999999999) { entries { name } } }"])


@st.composite
def storefront_bodies(draw):
    choice = draw(st.integers(min_value=0, max_value=3))
    if choice == 0:
        return draw(st.sampled_from(RAW_BODIES))
    if choice == 1:
        return json.dumps(draw(mutated(GOOD))).encode()
    body = {"query": draw(documents), "variables": draw(json_values),
            "operationName": draw(st.none() | st.text(max_size=10))}
    return json.dumps(body).encode()


@bounded(150)
@given(body=storefront_bodies(), signed_in=st.booleans(),
       content_type=st.sampled_from(["application/json", "application/graphql",
                                     "application/x-www-form-urlencoded", "text/plain"]))
def test_no_storefront_request_answers_a_500(client, shop, customer_token, body, signed_in,
                                             content_type):
    headers = {"HTTP_SALEOR_API_URL": SALEOR_API_URL}
    if signed_in:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {customer_token()}"

    response = client.post("/api/graphql/", body, content_type=content_type, **headers)

    assert response.status_code < 500, (body[:200], response.content[:300])
    if response.status_code != 200:
        assert response.json()["errors"], response.content[:300]


@bounded(40)
@given(query=st.dictionaries(st.sampled_from(["query", "variables", "operationName"]),
                             st.text(max_size=60), max_size=3))
def test_no_storefront_get_answers_a_500(client, shop, query):
    response = client.get("/api/graphql/", query, HTTP_SALEOR_API_URL=SALEOR_API_URL)

    assert response.status_code < 500, (query, response.content[:300])
