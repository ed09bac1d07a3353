"""Public views of referral codes: the share link (counts the visit, redirects) and QR images.

Codes are short on purpose (read aloud, typed), so the views are no oracle for guessing them:
a client that keeps asking for codes that do not exist is refused for a while, and then every
answer is the same 429 — a hit no longer looks different from a miss.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings as django_settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from plugin.referrals.codes import code_normalise
from plugin.referrals.links import QR_KINDS, referral_qr, storefront_target
from plugin.referrals.models import ReferralCode
from plugin.referrals.selectors import referral_settings_get
from plugin.referrals.services import referral_visit_record
from plugin.referrals.visits import link_visit_count

_MISS_GROUP = "referrals.link_miss"


class _Guessing(Exception):
    """This client asked for too many unknown codes lately."""


def _misses_exceeded(request: HttpRequest, *, count: bool) -> bool:
    rate = getattr(django_settings, "REFERRAL_LINK_MISS_RATE", "30/m")
    return is_ratelimited(request, group=_MISS_GROUP, key="ip", rate=rate, increment=count)


def _code_from(request: HttpRequest, code: str) -> ReferralCode:
    if _misses_exceeded(request, count=False):
        raise _Guessing
    codes = ReferralCode.objects.filter(
        code=code_normalise(code), active=True, installation__is_active=True
    ).select_related("installation")
    shop = request.GET.get("shop", "")
    if shop.isdigit():
        codes = codes.filter(installation_id=int(shop))
    found = list(codes[:2])
    if len(found) != 1:
        if _misses_exceeded(request, count=True):
            raise _Guessing
        raise Http404("unknown or inactive referral code")
    return found[0]


def _too_many() -> HttpResponse:
    return HttpResponse(
        "Too many unknown referral codes from here; try again in a minute.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def referral_link_view(request: HttpRequest, code: str) -> HttpResponse:
    """Count the visit (once per visitor per day), then send the shopper to the shop with
    the code in the URL.

    The target is the merchant's configured storefront, never a URL from the request.
    """
    try:
        found = _code_from(request, code)
    except _Guessing:
        return _too_many()
    settings = referral_settings_get(installation=found.installation)
    if not settings.storefront_url:
        return HttpResponse(
            "This shop has not set its storefront address yet.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    link_visit_count(request, group="referrals.visit",
                     record=partial(referral_visit_record, code=found))
    target = storefront_target(
        storefront_url=settings.storefront_url, param=settings.code_param, code=found.code
    )
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"  # every opening reaches the app to be counted
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def referral_qr_view(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in QR_KINDS:
        raise Http404("QR images are svg or png")
    try:
        found = _code_from(request, code)
    except _Guessing:
        return _too_many()
    image = referral_qr(code=found, kind=kind, request_base=request.build_absolute_uri("/"))
    response = HttpResponse(image, content_type=QR_KINDS[kind])
    response["Cache-Control"] = "public, max-age=3600"
    return response
