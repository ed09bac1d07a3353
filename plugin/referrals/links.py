"""Share links and QR codes of referral codes: `APP_URL/r/<code>` and its SVG / PNG QR image."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import segno
from django.conf import settings
from django.urls import reverse

from plugin.referrals.models import ReferralCode

QR_KINDS = {"svg": "image/svg+xml", "png": "image/png"}


def _base_url(request_base: str | None) -> str:
    return (settings.APP_URL or request_base or "").rstrip("/")


def _shop_params(code: ReferralCode) -> dict[str, str]:
    """`?shop=` only when another shop has the same code, so links stay short and stable."""
    twins = ReferralCode.objects.filter(code=code.code).exclude(
        installation_id=code.installation_id
    )
    return {"shop": str(code.installation_id)} if twins.exists() else {}


def referral_link(*, code: ReferralCode, request_base: str | None = None, via: str = "") -> str:
    """The public share link, `APP_URL/r/<code>`."""
    url = _base_url(request_base) + reverse("referral-link", kwargs={"code": code.code})
    params = _shop_params(code) | ({"via": via} if via else {})
    return f"{url}?{urlencode(params)}" if params else url


def referral_qr_url(*, code: ReferralCode, kind: str, request_base: str | None = None) -> str:
    """Where the QR image of the link is served (`/r/<code>/qr.svg` or `.png`)."""
    url = _base_url(request_base) + reverse("referral-qr", kwargs={"code": code.code, "kind": kind})
    params = _shop_params(code)
    return f"{url}?{urlencode(params)}" if params else url


def storefront_target(*, storefront_url: str, param: str, code: str) -> str:
    """The merchant's storefront with the code added to its query (`?ref=ALICE-7K2Q`)."""
    parts = urlsplit(storefront_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, code))
    return urlunsplit(parts._replace(query=urlencode(query)))


def referral_qr(
    *, code: ReferralCode, kind: str, request_base: str | None = None, scale: int = 6
) -> bytes:
    """A QR image of the share link (marked `via=qr` so scans are counted apart)."""
    if kind not in QR_KINDS:
        raise ValueError(f"unknown QR image kind {kind!r}")
    qr = segno.make(referral_link(code=code, request_base=request_base, via="qr"), error="m")
    buffer = io.BytesIO()
    options = {"xmldecl": False, "title": f"Referral code {code.code}"} if kind == "svg" else {}
    qr.save(buffer, kind=kind, scale=scale, border=2, **options)
    return buffer.getvalue()
