"""Public views of partner codes: the share link (counts the visit, redirects to the storefront
with the code) and its QR image. Partner codes carry 77 random bits, so a miss tells a guesser
nothing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from plugin.affiliates.links import QR_KINDS, partner_qr
from plugin.affiliates.models import PartnerCode
from plugin.affiliates.services import partner_visit_record
from plugin.client_address import client_address
from plugin.referrals.codes import code_normalise
from plugin.referrals.links import storefront_target
from plugin.referrals.selectors import referral_settings_get
from plugin.referrals.visits import visitor_key

VISIT_RATE = "60/h"  # new visits one address may record


def _code(code: str) -> PartnerCode:
    found = (PartnerCode.objects.select_related("installation", "partner")
             .filter(code=code_normalise(code), active=True, partner__active=True,
                     installation__is_active=True).first())
    if found is None:
        raise Http404("unknown or inactive partner code")
    return found


@require_GET
def partner_link_view(request: HttpRequest, code: str) -> HttpResponse:
    """To the merchant's configured storefront (never a URL from the request), with the code
    in the same query parameter as referral links, which the storefront keeps on the checkout."""
    found = _code(code)
    settings = referral_settings_get(installation=found.installation)
    if not settings.storefront_url:
        return HttpResponse("This shop has not set its storefront address yet.", status=404,
                            content_type="text/plain; charset=utf-8")
    _visit_count(request, found)
    response = HttpResponseRedirect(storefront_target(
        storefront_url=settings.storefront_url, param=settings.code_param, code=found.code))
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _visit_count(request: HttpRequest, code: PartnerCode) -> None:
    """Once per visitor per day; beyond VISIT_RATE from one address the link works, uncounted."""
    if is_ratelimited(request, group="affiliates.visit", key="ip", rate=VISIT_RATE,
                      increment=True):
        return
    now = timezone.now()
    visitor = visitor_key(address=client_address(request),
                          user_agent=request.headers.get("User-Agent", ""), day=now.date())
    partner_visit_record(code=code, visitor_key=visitor, now=now,
                         via="qr" if request.GET.get("via") == "qr" else "link")


@require_GET
def partner_qr_view(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in QR_KINDS:
        raise Http404("QR images are svg or png")
    image = partner_qr(code=_code(code), kind=kind,
                       request_base=request.build_absolute_uri("/"))
    response = HttpResponse(image, content_type=QR_KINDS[kind])
    response["Cache-Control"] = "public, max-age=3600"
    return response
