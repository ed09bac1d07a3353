"""Two shops on one app, with overlapping data (the same Saleor customer, order and checkout ids,
the same typed code): every dashboard read and every storefront query of one shop shows only its
own rows, ids of the other shop's rows are unknown to it, and nothing one shop sees changes when
the other shop's data grows. Hypothesis draws the data of both shops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.install.models import Installation
from plugin.playbook.copy import message_copy_set
from plugin.programs.actors import SystemActor
from plugin.programs.services import program_get_or_create, program_publish, program_save_draft
from plugin.referrals.models import Referral, ReferralCode
from plugin.referrals.services import customer_order_record, referral_code_create
from plugin.rewards.models import EntryAction, Reward, RewardState
from plugin.rewards.services import reward_create
from plugin.saleor.testing import TestSigner

pytestmark = pytest.mark.django_db
CUSTOMERS = ("VXNlcjo0Ng==", "VXNlcjo0Nw==", "VXNlcjo0OA==")  # the same Saleor ids in both shops
ORDERS = ("T3JkZXI6MTAx", "T3JkZXI6MTAy", "T3JkZXI6MTAz")
SIGNERS = {"a": TestSigner(), "b": TestSigner()}
APP_IDS = {"a": "QXBwOjc=", "b": "QXBwOjg="}
DASHBOARD_READS = (
    "program", "program/versions/1", "audit", "referrals", "rewards", "review", "contests",
    "overview", "settings", "messages", "sleeping",
)
STOREFRONT = """{
  myReferral { referral { visits signups referrals converted leaderboardName
                          earnings { amount currency } } errors { code } }
  myRewards { rewards { kind state amount { amount currency } points orderNumber reason } }
  pointsBalance { points }
  leaderboard(limit: 50) { entries { rank name score } }
}"""


@dataclass
class Shop:
    key: str
    installation: Installation
    marks: set[str] = field(default_factory=set)  # texts that belong to this shop alone
    codes: list[ReferralCode] = field(default_factory=list)
    rewards: list[Reward] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    people: int = 0

    @property
    def domain(self) -> str:
        return f"{self.key}-customers.example"


# one person: which shared Saleor id, how many friends they referred, what their reward is worth
people = st.lists(
    st.tuples(st.integers(0, len(CUSTOMERS) - 1), st.integers(0, 2), st.integers(1, 500),
              st.booleans()),
    min_size=1, max_size=3,
)


def _shop(key: str) -> Shop:
    installation = Installation.objects.create(
        saleor_api_url=f"https://shop-{key}.example.com/graphql/", domain=f"shop-{key}.example.com",
        app_id=APP_IDS[key], jwks=SIGNERS[key].jwks,
    )
    program = program_get_or_create(installation=installation)
    name = f"Plan of shop {key.upper()}"
    program_save_draft(program=program, actor=SystemActor(), source=(
        f'program "{name}" currency USD\n\non order paid when referred:\n'
        "    give referrer 10 USD as gift card\n"))
    program_publish(program=program, actor=SystemActor())
    wording = f"Share shop {key.upper()} with friends"
    message_copy_set(installation=installation, template="social_share", subject=wording,
                     body=wording + ": $link")
    shop = Shop(key, installation, marks={name, wording, "ALICE-REF"})
    shop.codes.append(referral_code_create(  # the same typed code in both shops, other owners
        installation=installation, customer_id=CUSTOMERS[0], email=f"owner@{shop.domain}",
        code="ALICE-REF"))
    return shop


def _grow(shop: Shop, drawn: list[tuple[int, int, int, bool]]) -> None:
    """Adds people, their codes, referrals, rewards and order history to the shop."""
    now = timezone.now()
    for who, friends, amount, in_review in drawn:
        shop.people += 1
        n = shop.people
        code = referral_code_create(installation=shop.installation, customer_id=CUSTOMERS[who],
                                    email=f"person{n}@{shop.domain}",
                                    name=f"Person{shop.key.upper()}{n}")
        if code.pk not in {c.pk for c in shop.codes}:  # a customer has one code per shop
            shop.codes.append(code)
        email = code.owner_email
        code.leaderboard_name = f"Hero{shop.key.upper()}{n}"
        code.save(update_fields=["leaderboard_name"])
        shop.marks |= {email, code.code, code.leaderboard_name}
        for f in range(friends):
            friend = f"friend{n}-{f}@{shop.domain}"
            shop.referrals.append(Referral.objects.create(
                installation=shop.installation, code=code, referrer_id=CUSTOMERS[who],
                referrer_email=email, referee_id=CUSTOMERS[(who + 1) % len(CUSTOMERS)],
                referee_email=friend, source=Referral.Source.METADATA,
                checkout_id=f"Q2hlY2tvdXQ6{n}0{f}", order_id=f"T3JkZXI6{n}0{f}",
                status=Referral.Status.REVIEW if in_review else Referral.Status.CONVERTED,
                review_reason=f"looks odd in shop {shop.key.upper()}" if in_review else ""))
            shop.marks.add(friend)
        reward, _ = reward_create(
            installation=shop.installation, key=f"{shop.key}:{n}", fields={
                "order_id": ORDERS[n % len(ORDERS)], "order_number": "21", "channel": "default",
                "rule_line": 4, "rule_label": f"rule of shop {shop.key.upper()}",
                "trigger": "order paid", "recipient_role": "referrer", "recipient_email": email,
                "recipient_customer_id": CUSTOMERS[who], "kind": "money",
                "delivery": "gift_card", "amount": Decimal(amount), "currency": "USD",
                "hold_days": 0, "hold_after": "fulfillment"},
            action=EntryAction.DECIDED,
            state=RewardState.REVIEW if in_review else RewardState.PENDING,
            now=now, cause_event="ORDER_FULLY_PAID")
        shop.rewards.append(reward)
        for days in (200, 170, 140):  # a regular who stopped ordering: shows as asleep
            customer_order_record(installation=shop.installation, status="paid", at=now,
                                  order_payload={
                "id": f"T3JkZXI6{shop.key}{n}{days}", "number": str(days),
                "user": {"id": CUSTOMERS[who], "email": email}, "userEmail": email,
                "total": {"gross": {"amount": amount, "currency": "USD"}},
                "channel": {"slug": "default-channel", "currencyCode": "USD"},
                "created": (now - timedelta(days=days)).isoformat(), "isPaid": True})


def _dashboard(client, shop: Shop, path: str, method: str = "get", body: dict | None = None):
    token = SIGNERS[shop.key].mint_dashboard_token(
        saleor_api_url=shop.installation.saleor_api_url, app_id=APP_IDS[shop.key],
        email=f"staff@shop-{shop.key}.example.com")
    headers = {"authorization-bearer": token,
               "saleor-api-url": shop.installation.saleor_api_url}
    if method == "get":
        return client.get(f"/dashboard/api/{path}", headers=headers)
    return client.post(f"/dashboard/api/{path}", data=json.dumps(body or {}),
                       content_type="application/json", headers=headers)


def _storefront(client, shop: Shop, *, customer: str, email: str, query: str) -> dict:
    token = SIGNERS[shop.key].mint_dashboard_token(
        saleor_api_url=shop.installation.saleor_api_url, user_id=customer, email=email,
        type="access", is_staff=False)
    response = client.post("/api/graphql/", {"query": query}, content_type="application/json",
                           HTTP_SALEOR_API_URL=shop.installation.saleor_api_url,
                           HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200, response.content
    return response.json()


def _views(client, shop: Shop, other: Shop) -> dict[str, str]:
    """Everything the shop's staff and shoppers can read, as text, by what was asked."""
    seen = {}
    for path in DASHBOARD_READS:
        response = _dashboard(client, shop, path)
        assert response.status_code == 200, (path, response.content)
        seen[path] = response.content.decode()
    for code in other.codes + shop.codes[:1]:  # look up the other shop's codes and owners
        for q in (code.code, code.owner_email):
            found = _dashboard(client, shop, f"codes?q={q}").json()["codes"]  # (q is echoed)
            seen[f"codes?q={q}"] = json.dumps(found)
    for n, customer in enumerate(CUSTOMERS):  # the same Saleor customers, signed in here
        email = f"shopper{n}@{shop.domain}"
        answer = _storefront(client, shop, customer=customer, email=email, query=STOREFRONT)
        assert "errors" not in answer, answer
        seen[f"storefront {customer}"] = json.dumps(answer)
    for code in other.codes:
        validate = f'{{ referralCodeValidate(code: "{code.code}") {{ valid }} }}'
        seen[f"validate {code.code}"] = json.dumps(_storefront(
            client, shop, customer=CUSTOMERS[0], email=f"x@{shop.domain}", query=validate))
    return seen


def _no_foreign_rows(seen: dict[str, str], shop: Shop, other: Shop) -> None:
    foreign = {mark for mark in other.marks if mark not in shop.marks} | {other.domain}
    for what, text in seen.items():
        leaked = sorted(mark for mark in foreign if mark in text)
        assert not leaked, f"{shop.key}: {what} shows shop {other.key}'s {leaked}"
    own = [seen["referrals"], seen["rewards"], seen["codes?q=ALICE-REF"]]
    assert shop.domain in "".join(own)  # the views do show rows: their own


def _foreign_ids_are_unknown(client, shop: Shop, other: Shop) -> None:
    for reward in other.rewards:
        answer = _dashboard(client, shop, f"review/reward/{reward.pk}", "post",
                            {"decision": "approve", "reason": "cross-shop"})
        assert answer.status_code == 404, answer.content
    for referral in other.referrals:
        answer = _dashboard(client, shop, f"review/referral/{referral.pk}", "post",
                            {"decision": "approve", "reason": "cross-shop"})
        assert answer.status_code == 404, answer.content
    for code in other.codes:
        for action in ("deactivate", "rotate"):
            assert _dashboard(client, shop, f"codes/{code.pk}/{action}", "post").status_code == 404
        code.refresh_from_db()
        assert code.active


def _validations(seen: dict[str, str]) -> list[bool]:
    return [json.loads(text)["data"]["referralCodeValidate"]["valid"]
            for what, text in seen.items() if what.startswith("validate ")]


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=people, second=people, more=people)
def test_each_shop_sees_only_its_own_rows(client, first, second, more):
    with transaction.atomic():  # each drawn pair of shops starts from an empty database
        caches["rate_limits"].clear()
        a, b = _shop("a"), _shop("b")
        _grow(a, first)
        _grow(b, second)
        a_before = _views(client, a, b)
        b_seen = _views(client, b, a)
        _no_foreign_rows(a_before, a, b)
        _no_foreign_rows(b_seen, b, a)
        # the other shop's codes are not valid here, except the one both shops gave out
        assert _validations(a_before) == [code.code == "ALICE-REF" for code in b.codes]
        _foreign_ids_are_unknown(client, a, b)
        _foreign_ids_are_unknown(client, b, a)

        _grow(b, more)  # the other shop grows: nothing this shop sees may change
        caches["rate_limits"].clear()
        a_after = _views(client, a, b)
        changed = [what for what in a_before if a_before[what] != a_after.get(what)
                   and not what.startswith(("codes?q=", "validate "))]
        assert changed == [], [(w, a_before[w], a_after[w]) for w in changed]
        _no_foreign_rows(a_after, a, b)
        transaction.set_rollback(True)
