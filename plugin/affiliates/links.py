"""A partner code's share link (`APP_URL/p/<code>`, which sends the shopper to the storefront
with the code, as a referral link does) and its QR image in SVG or PNG."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

from plugin.affiliates.models import PartnerCode

QR_KINDS = {"svg": "image/svg+xml", "png": "image/png"}


def _base_url(request_base: str | None) -> str:
    return (settings.APP_URL or request_base or "").rstrip("/")


def partner_link(*, code: PartnerCode, request_base: str | None = None, via: str = "") -> str:
    url = _base_url(request_base) + reverse("partner-link", kwargs={"code": code.code})
    return f"{url}?via={via}" if via else url


def partner_qr_url(*, code: PartnerCode, kind: str, request_base: str | None = None) -> str:
    return _base_url(request_base) + reverse(
        "partner-qr", kwargs={"code": code.code, "kind": kind})


def partner_qr(*, code: PartnerCode, kind: str, request_base: str | None = None,
               scale: int = 6) -> bytes:
    """A QR image of the share link, for a blog post, a flyer or a partner shop's counter."""
    if kind not in QR_KINDS:
        raise ValueError(f"unknown QR image kind {kind!r}")
    # marked `via=qr` so scans are counted apart from clicks
    qr = segno.make(partner_link(code=code, request_base=request_base, via="qr"), error="m")
    buffer = io.BytesIO()
    options = {"xmldecl": False, "title": f"Partner code {code.code}"} if kind == "svg" else {}
    qr.save(buffer, kind=kind, scale=scale, border=2, **options)
    return buffer.getvalue()
