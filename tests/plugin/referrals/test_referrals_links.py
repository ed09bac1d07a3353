"""Share links (visit recorded, redirect to the storefront) and QR images (valid SVG and PNG)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib

import pytest

from plugin.install.models import Installation
from plugin.referrals.links import referral_link, referral_qr_url
from plugin.referrals.models import ReferralVisit
from plugin.referrals.selectors import referral_code_stats
from plugin.referrals.services import (
    referral_code_create,
    referral_code_deactivate,
    referral_code_rotate,
    referral_settings_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(installation):
    referral_settings_update(
        installation=installation, storefront_url="https://shop.example.com/?lang=en"
    )
    return referral_code_create(
        installation=installation,
        customer_id="VXNlcjo0Ng==",
        email="alice.referrer@example.com",
        name="Alice",
    )


def test_link_records_the_visit_and_redirects_to_the_storefront(client, code):
    response = client.get(f"/r/{code.code}")
    assert response.status_code == 302
    assert response["Location"] == f"https://shop.example.com/?lang=en&ref={code.code}"
    assert response["Cache-Control"] == "no-store"
    # another visitor, typed in lower case, scanned from a QR
    client.get(f"/r/{code.code.lower()}?via=qr", REMOTE_ADDR="198.51.100.20")
    assert list(ReferralVisit.objects.values_list("via", flat=True).order_by("id")) == [
        "link",
        "qr",
    ]


def test_redirect_target_cannot_be_chosen_by_the_request(client, code):
    response = client.get(f"/r/{code.code}?next=https://evil.example/&ref=X")
    assert response["Location"].startswith("https://shop.example.com/")


def test_unknown_inactive_and_unconfigured_codes_are_404(client, code, installation):
    assert client.get("/r/NOBODY-2345").status_code == 404
    other = referral_code_create(
        installation=installation, customer_id="", email="b@example.com", name="Bea"
    )
    referral_code_deactivate(code=other)
    assert client.get(f"/r/{other.code}").status_code == 404
    referral_settings_update(installation=installation, storefront_url="")
    response = client.get(f"/r/{code.code}")
    assert response.status_code == 404 and b"storefront" in response.content
    assert ReferralVisit.objects.count() == 0


def test_guessing_codes_through_links_is_refused_and_then_hits_look_like_misses(
    client, code, frozen_rate_window
):
    answers = [client.get(f"/r/ALICE-{n:04d}").status_code for n in range(32)]
    assert answers[:30] == [404] * 30 and answers[30:] == [429] * 2
    assert client.get(f"/r/{code.code}").status_code == 429  # a real code tells nothing now
    assert client.get(f"/r/{code.code}/qr.svg").status_code == 429
    assert ReferralVisit.objects.count() == 0
    other = client.get(f"/r/{code.code}", REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302  # someone else's shared link still works


def test_same_code_in_two_shops_needs_the_shop_in_the_link(client, code):
    other_shop = Installation.objects.create(saleor_api_url="https://other.example/graphql/")
    referral_settings_update(installation=other_shop, storefront_url="https://other-shop.example/")
    twin = referral_code_create(
        installation=other_shop, customer_id="", email="x@example.com", code=code.code
    )
    assert client.get(f"/r/{code.code}").status_code == 404
    link = referral_link(code=twin, request_base="https://app.example")
    assert link == f"https://app.example/r/{code.code}?shop={other_shop.pk}"
    assert client.get(link.removeprefix("https://app.example"))["Location"].startswith(
        "https://other-shop.example/"
    )


def test_qr_of_a_code_two_shops_share_names_the_shop(client, code):
    other_shop = Installation.objects.create(saleor_api_url="https://other.example/graphql/")
    twin = referral_code_create(
        installation=other_shop, customer_id="", email="x@example.com", code=code.code
    )
    url = referral_qr_url(code=twin, kind="svg", request_base="https://app.example")
    assert url == f"https://app.example/r/{code.code}/qr.svg?shop={other_shop.pk}"
    assert client.get(url.removeprefix("https://app.example")).status_code == 200
    assert client.get(f"/r/{code.code}/qr.svg").status_code == 404  # which shop's? unknown


def test_rotation_retires_the_leaked_code_and_keeps_the_owner(client, code):
    fresh = referral_code_rotate(code=code)
    code.refresh_from_db()
    assert not code.active and fresh.active and fresh.rotated_from == code
    assert fresh.code != code.code and fresh.code.startswith("ALICE-")
    assert client.get(f"/r/{code.code}").status_code == 404
    assert client.get(f"/r/{fresh.code}").status_code == 302


def test_qr_svg_is_well_formed_svg(client, code):
    response = client.get(f"/r/{code.code}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (
        int(root.get("width")) >= 100 and root.find("{http://www.w3.org/2000/svg}path") is not None
    )


def _png_chunks(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc
        yield kind, body
        offset += 12 + length


def test_qr_png_is_a_valid_png(client, code):
    response = client.get(f"/r/{code.code}/qr.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    chunks = dict(_png_chunks(response.content))
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert width == height >= 100
    pixels = zlib.decompress(chunks[b"IDAT"])
    assert len(pixels) > width  # real image data, not an empty stream
    assert b"IEND" in chunks
    assert client.get(f"/r/{code.code}/qr.gif").status_code == 404


@pytest.fixture
def fixed_clock(monkeypatch):
    """The link view's clock, held at a chosen instant (visits count per day)."""
    from datetime import UTC, datetime

    instant = {"now": datetime(2026, 3, 14, 23, 50, tzinfo=UTC)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant["now"])
    return instant


def test_a_visitor_counts_once_a_day_however_often_they_open_the_link(client, code, fixed_clock):
    from datetime import timedelta

    for _ in range(5):
        assert client.get(f"/r/{code.code}", HTTP_USER_AGENT="Firefox/140").status_code == 302
    client.get(f"/r/{code.code}", HTTP_USER_AGENT="Safari/19")  # another browser, another visitor
    client.get(f"/r/{code.code}", HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="198.51.100.20")
    assert referral_code_stats(code=code)["visits"] == 3

    fixed_clock["now"] += timedelta(minutes=20)  # the next day (UTC)
    client.get(f"/r/{code.code}", HTTP_USER_AGENT="Firefox/140")
    assert referral_code_stats(code=code)["visits"] == 4


def test_no_address_is_stored_with_a_visit(client, code, fixed_clock):
    client.get(f"/r/{code.code}", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Firefox/140")

    stored = ReferralVisit.objects.values()[0]
    assert "203.0.113.77" not in str(stored)
    assert len(stored["visitor_key"]) == 64


def test_a_script_rotating_browsers_cannot_fill_the_table(client, code, fixed_clock,
                                                          frozen_rate_window):
    from plugin.referrals.visits import VISIT_RATE

    limit = int(VISIT_RATE.split("/")[0])
    for n in range(limit + 40):
        response = client.get(f"/r/{code.code}", HTTP_USER_AGENT=f"bot/{n}")
        assert response.status_code == 302  # the link keeps working

    assert ReferralVisit.objects.count() == limit


def test_visitors_behind_a_trusted_proxy_are_told_apart(client, code, fixed_clock, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for shopper in ("203.0.113.1", "203.0.113.2", "1.2.3.4, 203.0.113.2"):
        client.get(f"/r/{code.code}", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=shopper,
                   HTTP_USER_AGENT="Firefox/140")

    assert ReferralVisit.objects.count() == 2  # the forged left hop changed nothing
