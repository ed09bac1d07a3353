"""Generated bodies, query strings and path ids against every dashboard endpoint: a 4xx with a
reason or a 2xx, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.plugin.dashboard.conftest import SHOP_URL
from tests.plugin.dashboard.routes import token_routes
from tests.plugin.dashboard.test_dashboard_editor import SANDBOX_FACTS, TIERED
from tests.plugin.hostile_json import bodies, bounded, mutated

# Every field name a dashboard endpoint reads, so generated bodies reach past "required".
FIELDS = ["source", "facts", "rate", "number", "decision", "reason", "subject", "body",
          "count", "assume_referred", "storefront_url", "code_param", "code_voucher_percent",
          "attribution_days", "email", "code", "draft", "published_number"]
PARAMS = ["q", "limit", "status", "state", "email", "rate", "a", "b", "segment", "offset"]
ROUTES = token_routes()

path_ids = st.integers(min_value=0, max_value=10 ** 25)
templates = st.sampled_from(["win_back", "invite", "nope", "..%2f", "x" * 300])


def request_for(data, name: str, view, converters: dict[str, str]):
    kwargs = {arg: data.draw(path_ids if kind == "int" else templates)
              for kind, arg in converters.items()}
    method = data.draw(st.sampled_from(sorted(view.allowed_methods))).lower()
    url = reverse(f"dashboard:{name}", kwargs=kwargs)
    if method == "get":
        params = data.draw(st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=30),
                                           max_size=3))
        return method, url, params
    return method, url, data.draw(bodies(FIELDS))


def send(client, staff_token: str, method: str, url: str, payload):
    headers = {"authorization-bearer": staff_token, "saleor-api-url": SHOP_URL}
    if method == "get":
        return client.get(url, payload, headers=headers)
    return getattr(client, method)(url, data=payload, content_type="application/json",
                                   headers=headers)


@pytest.mark.parametrize(("name", "view", "converters"), ROUTES, ids=[r[0] for r in ROUTES])
@bounded(6)
@given(data=st.data())
def test_no_dashboard_endpoint_answers_a_500(client, shop, staff_token, name, view, converters,
                                             data):
    client.raise_request_exception = True  # a crash shows as its traceback
    method, url, payload = request_for(data, name, view, converters)

    response = send(client, staff_token, method, url, payload)

    assert response.status_code < 500, (method, url, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["error"]  # a reason, not an empty refusal


@bounded(60)
@given(form=mutated({"source": TIERED, "facts": SANDBOX_FACTS}, times=3))
def test_sandbox_on_damaged_facts_answers_a_reason(dash, form):
    response = dash.post("sandbox", form)

    assert response.status_code in (200, 400, 413, 422), response.content[:300]
