"""One Saleor, one spelling: every way of writing a Saleor API URL comes to the same canonical URL,
and every look-up (webhook, dashboard, storefront, register) finds the one installation."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.install.models import Installation
from plugin.install.selectors import installation_get_by_api_url
from plugin.saleor.api_url import NotASaleorApiUrl, saleor_api_url_canonical
from plugin.webhooks.installations import active_installation
from tests.plugin.install.test_register import ALLOW_CAPTURED, REGISTER, post_register

CAPTURED = "http://127.0.0.1:8000/graphql/"


@st.composite
def case_mixed(draw, text: str) -> str:
    # `ß`.upper() is `SS`: another name, not another case of it, so such letters stay as written
    return "".join(
        c.upper() if len(c.upper()) == 1 and draw(st.booleans()) else c for c in text
    )


@st.composite
def spellings(draw, *, scheme: str, host: str, port: int | None, path: str = "graphql") -> str:
    """Another way of writing `scheme://host[:port]/path/` that names the same Saleor."""
    default = {"http": 80, "https": 443}[scheme]
    shown_port = port if port is not None else draw(st.sampled_from([None, default]))
    port_text = "" if shown_port is None else ":" + "0" * draw(st.integers(0, 3)) + str(shown_port)
    slashes = draw(st.sampled_from(["", "/", "//"]))
    lead = draw(st.sampled_from(["/", "//", "/./"]))
    host_text = draw(case_mixed(host))
    if draw(st.booleans()):
        host_text += "."  # the fully qualified form of the same name
    blank = draw(st.sampled_from(["", " ", "\t"]))
    return f"{blank}{draw(case_mixed(scheme))}://{host_text}{port_text}{lead}{path}{slashes}{blank}"


@given(spellings(scheme="http", host="127.0.0.1", port=8000))
def test_every_spelling_of_the_captured_saleor_is_one_url(url):
    assert saleor_api_url_canonical(url) == CAPTURED


@given(
    st.sampled_from(["http", "https"]),
    st.sampled_from(["shop.example.com", "bücher.example", "straße.shop", "xn--bcher-kva.example"]),
    st.data(),
)
def test_names_ports_and_scripts_come_to_one_spelling(scheme, host, data):
    canonical = saleor_api_url_canonical(f"{scheme}://{host}/graphql/")
    url = data.draw(spellings(scheme=scheme, host=host, port=None))
    assert saleor_api_url_canonical(url) == canonical
    assert saleor_api_url_canonical(canonical) == canonical  # a fixed point
    assert canonical.isascii() and canonical == canonical.strip()


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://127.0.0.1:8000/graphql/", CAPTURED),
        ("Http://127.0.0.1:8000/graphql/", CAPTURED),
        ("http://127.0.0.1:08000/graphql/", CAPTURED),
        ("http://127.0.0.1:8000/graphql", CAPTURED),
        ("http://127.0.0.1:8000/graphql//", CAPTURED),
        ("http://shop.example:80/graphql/", "http://shop.example/graphql/"),
        ("https://shop.example:443/graphql/", "https://shop.example/graphql/"),
        ("http://shop.example:443/graphql/", "http://shop.example:443/graphql/"),
        ("https://BÜCHER.example/graphql/", "https://xn--bcher-kva.example/graphql/"),
        ("http://[0:0::1]:8000/graphql/", "http://[::1]:8000/graphql/"),
    ],
)
def test_the_spellings_of_the_issue(url, canonical):
    assert saleor_api_url_canonical(url) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://shop.example/graphql/",
        "http://user:pw@shop.example/graphql/",
        "http://@shop.example/graphql/",
        "http://shop.example/graphql/?next=/admin",
        "http://shop.example/graphql/#x",
        "http://shop.example:0/graphql/",
        "http://shop.example:70000/graphql/",
        "http://sh op.example/graphql/",
        "http://a..b/graphql/",
        "http:///graphql/",
    ],
)
def test_what_names_no_saleor_is_refused_not_trimmed(url):
    with pytest.raises(NotASaleorApiUrl):
        saleor_api_url_canonical(url)


@pytest.mark.django_db
def test_look_ups_find_the_installation_under_any_spelling(captured_installation):
    for url in ("HTTP://127.0.0.1:08000/graphql", "http://127.0.0.1:8000/graphql//", CAPTURED):
        assert installation_get_by_api_url(saleor_api_url=url) == captured_installation
        assert active_installation(saleor_api_url=url) == captured_installation
    assert installation_get_by_api_url(saleor_api_url="http://127.0.0.1:8001/graphql/") is None
    assert installation_get_by_api_url(saleor_api_url="not a url at all") is None
    assert active_installation(saleor_api_url="http://u:p@127.0.0.1:8000/graphql/") is None


def _register(client, url: str):
    return post_register(client, headers={**REGISTER["headers"], "Saleor-Api-Url": url})


@pytest.fixture
def saleor(fake_saleor):
    from tests.plugin.install.test_register import whoami_of_this_app

    fake_saleor.on("AppWhoami", data=whoami_of_this_app())
    return fake_saleor


@override_settings(**ALLOW_CAPTURED)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=spellings(scheme="http", host="127.0.0.1", port=8000))
@pytest.mark.django_db
def test_installing_under_any_spelling_makes_one_installation(client, saleor, url):
    caches["rate_limits"].clear()  # many installs from one address within one minute
    response = _register(client, url)
    assert response.status_code == 200, response.content
    (installation,) = Installation.objects.all()
    assert installation.saleor_api_url == CAPTURED
