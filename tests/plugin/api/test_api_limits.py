"""What one storefront request may cost: body size, aliases, fields, depth, estimated cost, and
rate limits per client address and per signed-in shopper. Refusals come before any resolver."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from plugin.api import limits
from plugin.api import schema as api_schema
from plugin.referrals.selectors import referral_leaderboard
from tests.plugin.api.conftest import SALEOR_API_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaderboard_calls(monkeypatch):
    """Counts the leaderboard's database reads (the real selector still answers)."""
    calls = []

    def counted(**kwargs):
        calls.append(kwargs)
        return referral_leaderboard(**kwargs)

    monkeypatch.setattr(api_schema, "referral_leaderboard", counted)
    return calls


def post(client, query: str, *, token: str | None = None, remote_addr: str = "203.0.113.7",
         **meta):
    headers = {"HTTP_SALEOR_API_URL": SALEOR_API_URL, **meta}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post("/api/graphql/", {"query": query}, content_type="application/json",
                       REMOTE_ADDR=remote_addr, **headers)


def refusal(response) -> tuple[str, str]:
    (error,) = response.json()["errors"]
    return error.get("extensions", {}).get("code", ""), error["message"]


def aliases_of_leaderboard(n: int) -> str:
    return "{" + " ".join(f"a{i}: leaderboard {{ __typename }}" for i in range(n)) + "}"


def test_40000_aliases_of_the_leaderboard_are_refused_for_their_size(client, shop,
                                                                      leaderboard_calls):
    response = post(client, aliases_of_leaderboard(40_000))

    assert response.status_code == 413
    assert refusal(response) == ("REQUEST_TOO_LARGE", "the request is larger than 16384 bytes")
    assert leaderboard_calls == []


def test_40000_aliases_within_a_larger_body_limit_are_refused_before_validation(
        client, shop, leaderboard_calls, settings):
    settings.STOREFRONT_MAX_BODY_BYTES = 4 * 1024 * 1024

    response = post(client, aliases_of_leaderboard(40_000))

    assert response.status_code == 400
    _code, message = refusal(response)
    assert "Document contains more than 2000 tokens" in message
    assert leaderboard_calls == []


def entries_aliased(n: int) -> str:
    return "{ leaderboard { " + " ".join(f"e{i}: entries {{ name }}" for i in range(n)) + " } }"


def test_aliases_past_the_limit_are_refused_where_the_limit_is_passed(client, shop,
                                                                      leaderboard_calls):
    within = post(client, entries_aliased(limits.MAX_ALIASES))
    beyond = post(client, entries_aliased(limits.MAX_ALIASES + 1))

    assert within.status_code == 200 and "errors" not in within.json()
    assert beyond.status_code == 400
    assert refusal(beyond) == ("TOO_MANY_ALIASES",
                               "the query has too many aliases; at most 20 are allowed")
    assert beyond.json()["errors"][0]["locations"][0]["column"] > 15 * 20  # the 21st alias
    assert len(leaderboard_calls) == 1  # only the query within the limit ran


def test_fields_past_the_limit_are_refused(client, shop, leaderboard_calls):
    names = " ".join(["name"] * (limits.MAX_FIELDS - 1))

    response = post(client, f"{{ leaderboard {{ entries {{ {names} }} }} }}")

    assert response.status_code == 400
    assert refusal(response)[0] == "TOO_MANY_FIELDS"
    assert leaderboard_calls == []


def test_fields_spread_through_fragments_count_as_expanded(client, shop, leaderboard_calls):
    fragments = "fragment F0 on LeaderboardEntry { name rank score }\n" + "\n".join(
        f"fragment F{i} on LeaderboardEntry {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 12))

    response = post(client, f"{{ leaderboard {{ entries {{ ...F11 }} }} }}\n{fragments}")

    assert response.status_code == 400
    assert refusal(response)[0] == "TOO_MANY_FIELDS"  # 3 x 2^11 fields, not 3
    assert leaderboard_calls == []


def test_a_fragment_cycle_ends_the_walk_with_a_refusal(client, shop, leaderboard_calls):
    query = ("{ leaderboard { entries { ...A } } }\n"
             "fragment A on LeaderboardEntry { name ...B }\n"
             "fragment B on LeaderboardEntry { rank ...A }")

    response = post(client, query)

    assert response.status_code == 400
    assert refusal(response)[0] in ("TOO_MANY_FIELDS", "QUERY_TOO_COMPLEX")
    assert leaderboard_calls == []


def test_depth_past_the_limit_is_refused(client, shop, leaderboard_calls):
    deep = "{ leaderboard { entries { " + "a { " * limits.MAX_DEPTH + "b" + " }" * (
        limits.MAX_DEPTH + 2) + " }"

    response = post(client, deep)

    assert response.status_code == 400
    assert refusal(response) == ("QUERY_TOO_DEEP",
                                 "the query nests too deeply; at most 8 are allowed")
    assert leaderboard_calls == []


def test_a_query_whose_estimated_cost_passes_the_limit_is_refused(client, shop,
                                                                  leaderboard_calls):
    fields = " ".join(f"l{i}: leaderboard {{ entries {{ name }} }}" for i in range(10))

    response = post(client, f"{{ {fields} }}")

    assert response.status_code == 400
    assert refusal(response)[0] == "QUERY_TOO_COSTLY"
    assert leaderboard_calls == []


def test_the_standard_introspection_query_is_answered(client, shop):
    response = post(client, get_introspection_query())

    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_a_json_body_nested_too_deeply_is_refused_with_its_reason(client, shop):
    body = b"[" * 8000 + b"]" * 8000

    response = client.post("/api/graphql/", body, content_type="application/json",
                           HTTP_SALEOR_API_URL=SALEOR_API_URL)

    assert response.status_code == 400
    assert refusal(response) == ("INVALID_BODY", "the request body nests too deeply")


LEADERBOARD = "{ leaderboard { entries { name } } }"


def test_anonymous_calls_are_limited_per_client_address(client, shop, settings,
                                                        frozen_rate_window):
    settings.STOREFRONT_RATE_PER_ADDRESS = "5/m"

    statuses = [post(client, LEADERBOARD).status_code for _ in range(7)]
    other = post(client, LEADERBOARD, remote_addr="198.51.100.9")

    assert statuses == [200] * 5 + [429] * 2
    assert other.status_code == 200
    limited = post(client, LEADERBOARD)
    assert refusal(limited)[0] == "RATE_LIMITED" and limited["Retry-After"] == "60"


def test_shoppers_behind_one_storefront_server_each_have_their_own_budget(
        client, shop, settings, customer_token, frozen_rate_window):
    settings.STOREFRONT_RATE_PER_SHOPPER = "3/m"
    settings.STOREFRONT_RATE_PER_ADDRESS = "3/m"
    ann = customer_token(user_id="VXNlcjox", email="ann@example.com")
    bob = customer_token(user_id="VXNlcjoy", email="bob@example.com")
    server = "192.0.2.50"  # the storefront's own server calls for everyone

    ann_statuses = [post(client, LEADERBOARD, token=ann, remote_addr=server).status_code
                    for _ in range(4)]
    bob_status = post(client, LEADERBOARD, token=bob, remote_addr=server).status_code
    anonymous_status = post(client, LEADERBOARD, remote_addr=server).status_code

    assert ann_statuses == [200, 200, 200, 429]
    assert bob_status == 200 and anonymous_status == 200


def test_anonymous_shoppers_behind_a_trusted_proxy_are_told_apart(client, shop, settings,
                                                                  frozen_rate_window):
    settings.STOREFRONT_RATE_PER_ADDRESS = "2/m"
    settings.TRUSTED_PROXIES = ["192.0.2.0/24"]

    def via_proxy(shopper: str):
        return post(client, LEADERBOARD, remote_addr="192.0.2.50",
                    HTTP_X_FORWARDED_FOR=shopper).status_code

    first = [via_proxy("203.0.113.1") for _ in range(3)]
    # a forged left hop does not buy a fresh budget
    forged = via_proxy("10.9.9.9, 203.0.113.1")
    second = via_proxy("203.0.113.2")

    assert first == [200, 200, 429] and forged == 429 and second == 200
