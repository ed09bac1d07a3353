"""The storefront API: shopper auth with their Saleor JWT, errors as data, rate limit, ranks."""

from __future__ import annotations

import pytest
from graphql import build_schema

from plugin.api.schema import schema
from plugin.referrals.models import Referral, ReferralCode
from plugin.referrals.services import referral_code_create, referral_mark
from plugin.saleor.testing import TestSigner

pytestmark = pytest.mark.django_db

MY_REFERRAL = """{ myReferral { referral {
  code link qrSvgUrl qrPngUrl visits signups referrals converted
  earnings { amount currency } leaderboardName } errors { code message field } } }"""


def _codes(answer, field):
    return [e["code"] for e in answer["data"][field]["errors"]]


def test_my_referral_makes_the_code_once_with_link_and_qr(gql, shop, customer_token, client):
    token = customer_token()
    first = gql(MY_REFERRAL, token=token)["data"]["myReferral"]
    again = gql(MY_REFERRAL, token=token)["data"]["myReferral"]
    assert first["errors"] == [] and first["referral"]["code"] == again["referral"]["code"]
    referral = first["referral"]
    assert referral["code"].startswith("BOBFRIEN-")  # from the e-mail when no name is known
    assert referral["link"] == f"http://testserver/r/{referral['code']}"
    assert referral["qrSvgUrl"].endswith(f"/r/{referral['code']}/qr.svg")
    assert (referral["visits"], referral["referrals"], referral["earnings"]) == (0, 0, [])
    assert ReferralCode.objects.get().owner_customer_id == "VXNlcjo0Nw=="
    client.get(f"/r/{referral['code']}")  # a 404 (no storefront set) does not count as a visit
    assert client.get(referral["qrPngUrl"].removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda mint: None, "UNAUTHENTICATED"),
        (lambda mint: "not.a.jwt", "INVALID_TOKEN"),
        (lambda mint: mint(lifetime=-60), "TOKEN_EXPIRED"),
        (lambda mint: mint(iss="https://other-saleor.example/graphql/"), "INVALID_TOKEN"),
        (lambda mint: mint(type="refresh"), "INVALID_TOKEN"),
        (lambda mint: mint(key=TestSigner()), "INVALID_TOKEN"),  # signed by a stranger's key
    ],
    ids=["missing", "garbage", "expired", "other-issuer", "refresh-token", "forged"],
)
def test_bad_tokens_are_errors_as_data(gql, shop, customer_token, make_token, code):
    answer = gql(MY_REFERRAL, token=make_token(customer_token))
    assert "errors" not in answer
    assert answer["data"]["myReferral"] == {
        "referral": None,
        "errors": [
            {
                "code": code,
                "message": answer["data"]["myReferral"]["errors"][0]["message"],
                "field": None,
            }
        ],
    }
    assert ReferralCode.objects.count() == 0


def test_hs256_token_made_with_the_public_key_is_refused(gql, shop, signer):
    """The classic algorithm-confusion forgery: HMAC keyed with the (public) RSA key."""
    import base64
    import hashlib
    import hmac
    import json

    from cryptography.hazmat.primitives import serialization

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    public_pem = signer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "kid": signer.kid, "typ": "JWT"}).encode())
    claims = b64(
        json.dumps(
            {
                "iss": shop.saleor_api_url,
                "exp": 9999999999,
                "type": "access",
                "user_id": "VXNlcjo0Nw==",
                "email": "bob.friend@example.com",
            }
        ).encode()
    )
    mac = hmac.new(public_pem, f"{header}.{claims}".encode(), hashlib.sha256).digest()
    assert _codes(gql(MY_REFERRAL, token=f"{header}.{claims}.{b64(mac)}"), "myReferral") == [
        "INVALID_TOKEN"
    ]


def test_unknown_shop_is_an_error_as_data(gql, shop, customer_token):
    answer = gql(MY_REFERRAL, token=customer_token(), api_url="https://unknown.example/graphql/")
    assert _codes(answer, "myReferral") == ["SHOP_UNKNOWN"]
    assert _codes(gql(MY_REFERRAL, token=customer_token(), api_url=None), "myReferral") == [
        "SHOP_UNKNOWN"
    ]


VALIDATE = (
    "query($c: String!) { referralCodeValidate(code: $c) { valid code errors { code field } } }"
)


def test_code_validation_is_public(gql, shop):
    referral_code_create(
        installation=shop, customer_id="", email="alice@example.com", code="ALICE-REF"
    )
    assert gql(VALIDATE, {"c": " alice-ref "})["data"]["referralCodeValidate"] == {
        "valid": True,
        "code": "ALICE-REF",
        "errors": [],
    }
    assert gql(VALIDATE, {"c": "NOPE-2345"})["data"]["referralCodeValidate"] == {
        "valid": False,
        "code": "NOPE-2345",
        "errors": [{"code": "INVALID_CODE", "field": "code"}],
    }


def test_code_validation_is_rate_limited_per_client(gql, shop, settings, frozen_rate_window):
    answers = [
        gql(VALIDATE, {"c": f"GUESS-{n:04d}"})["data"]["referralCodeValidate"] for n in range(25)
    ]
    codes = [a["errors"][0]["code"] for a in answers]
    assert codes[:20] == ["INVALID_CODE"] * 20 and codes[20:] == ["RATE_LIMITED"] * 5
    other_client = gql(VALIDATE, {"c": "GUESS-9999"}, remote_addr="198.51.100.9")
    assert other_client["data"]["referralCodeValidate"]["errors"][0]["code"] == "INVALID_CODE"


LEADERBOARD = (
    "query($n: Int) { leaderboard(limit: $n) { entries { rank name score } errors { code } } }"
)
OPT_IN = (
    "mutation($name: String) { leaderboardOptIn(name: $name) {"
    " leaderboardName errors { code field } } }"
)


def _converted(shop, code, n):
    for i in range(n):
        referral = Referral.objects.create(
            installation=shop,
            code=code,
            referrer_email=code.owner_email,
            referee_email=f"{code.code}-{i}@example.com",
            source="metadata",
            checkout_id=f"{code.code}-{i}",
        )
        referral_mark(referral=referral, status="converted")


def test_leaderboard_shows_only_opted_in_names(gql, shop, customer_token):
    hidden = referral_code_create(
        installation=shop, customer_id="", email="hidden@example.com", name="Hidden"
    )
    _converted(shop, hidden, 5)
    gql(MY_REFERRAL, token=customer_token())
    assert gql(OPT_IN, {"name": "  Bob   F. "}, token=customer_token())["data"][
        "leaderboardOptIn"
    ] == {"leaderboardName": "Bob F.", "errors": []}
    _converted(shop, ReferralCode.objects.get(owner_customer_id="VXNlcjo0Nw=="), 2)
    board = gql(LEADERBOARD)["data"]["leaderboard"]
    assert board == {"entries": [{"rank": 1, "name": "Bob F.", "score": 2}], "errors": []}
    assert gql(LEADERBOARD, {"n": 500})["data"]["leaderboard"]["errors"] == [
        {"code": "INVALID_INPUT"}
    ]
    assert _codes(gql(OPT_IN, {"name": "x"}, token=customer_token()), "leaderboardOptIn") == [
        "INVALID_INPUT"
    ]
    gql(OPT_IN, {"name": None}, token=customer_token())
    assert gql(LEADERBOARD)["data"]["leaderboard"]["entries"] == []


def test_rewards_and_points_need_the_shopper(gql, shop, customer_token):
    assert _codes(gql("{ myRewards { rewards { id } errors { code } } }"), "myRewards") == [
        "UNAUTHENTICATED"
    ]
    answer = gql("{ pointsBalance { points errors { code } } }", token=customer_token())
    assert answer["data"]["pointsBalance"] == {"points": 0, "errors": []}
    redeem = gql(
        "mutation { redeemPoints(points: 10) { voucherCode errors { code field } } }",
        token=customer_token(),
    )
    assert redeem["data"]["redeemPoints"] == {
        "voucherCode": None,
        "errors": [{"code": "NOT_ENOUGH_POINTS", "field": "points"}],
    }


def test_every_field_and_enum_value_has_a_description():
    sdl = build_schema(str(schema))
    missing = []
    for type_name, graphql_type in sdl.type_map.items():
        if type_name.startswith("__") or type_name in {
            "String",
            "Int",
            "Boolean",
            "ID",
            "Float",
            "DateTime",
        }:
            continue
        for name, field in (getattr(graphql_type, "fields", None) or {}).items():
            if not field.description:
                missing.append(f"{type_name}.{name}")
        for name, value in (getattr(graphql_type, "values", None) or {}).items():
            if not value.description:
                missing.append(f"{type_name}.{name}")
    assert missing == []


def test_browser_storefronts_may_call_with_a_bearer_token(client, shop):
    preflight = client.options(
        "/api/graphql/",
        HTTP_ORIGIN="https://shop.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight  # no cookies, ever
    answer = client.post(
        "/api/graphql/",
        {"query": "{ leaderboard { errors { code } } }"},
        content_type="application/json",
        HTTP_SALEOR_API_URL=shop.saleor_api_url,
    )
    assert answer["Access-Control-Allow-Origin"] == "*"


def test_mutations_are_refused_over_get(client, shop, customer_token):
    response = client.get(
        "/api/graphql/",
        {"query": 'mutation { leaderboardOptIn(name: "Bob") { errors { code } } }'},
        HTTP_SALEOR_API_URL=shop.saleor_api_url,
        HTTP_AUTHORIZATION=f"Bearer {customer_token()}",
    )
    assert response.status_code == 405
