"""Referral codes as the merchant handles them: look a customer's codes up (by code or
e-mail), deactivate one, or rotate a leaked one (the owner keeps history); writes audited."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest
from plugin.dashboard.permissions import CUSTOMER_DATA, DISCOUNT_CHANGE
from plugin.programs.services import audit_record
from plugin.referrals.codes import code_normalise
from plugin.referrals.identity import email_normalise
from plugin.referrals.links import referral_link
from plugin.referrals.models import ReferralCode
from plugin.referrals.selectors import referral_code_stats
from plugin.referrals.services import referral_code_deactivate, referral_code_rotate

# A referral code is a discount in Saleor; the answer names its owner.
CODE_PERMISSIONS = (*DISCOUNT_CHANGE, *CUSTOMER_DATA)
MAX_QUERY = 254
LOOKUP_LIMIT = 50


def code_json(code: ReferralCode, *, request_base: str) -> dict:
    return {
        "id": code.pk, "code": code.code, "owner_email": code.owner_email,
        "owner_name": code.owner_name, "active": code.active,
        "created": code.created.isoformat(),
        "deactivated_at": code.deactivated_at.isoformat() if code.deactivated_at else None,
        "rotated_from": code.rotated_from.code if code.rotated_from_id else None,
        "link": referral_link(code=code, request_base=request_base) if code.active else None,
        "stats": referral_code_stats(code=code),
    }


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def codes_lookup(request: HttpRequest, *, installation, user) -> JsonResponse:
    """`?q=` a code (any spelling a shopper would type) or an owner's e-mail; the owner's
    codes, active first, newest first (earlier, rotated codes included)."""
    query = request.GET.get("q", "").strip()
    if not query:
        raise BadRequest("type a referral code or a customer's e-mail")
    if len(query) > MAX_QUERY:
        raise BadRequest(f"the search is longer than {MAX_QUERY} characters")
    codes = ReferralCode.objects.filter(installation=installation)
    if "@" in query:
        owner = email_normalise(query)
    else:
        found = codes.filter(code=code_normalise(query)).first()
        owner = found.owner_email if found else None
    if not owner:
        return JsonResponse({"codes": [], "query": query})
    rows = (codes.filter(owner_email=owner).select_related("rotated_from")
            .order_by("-active", "-created", "-id")[:LOOKUP_LIMIT])
    base = _base(request)
    return JsonResponse({"codes": [code_json(c, request_base=base) for c in rows],
                         "query": query})


def _code_or_404(installation, code_id: int) -> ReferralCode:
    code = (ReferralCode.objects.select_for_update()
            .filter(installation=installation, pk=code_id).first())
    if code is None:
        raise BadRequest(f"referral code {code_id} does not exist", status=404)
    return code


@dashboard_api(methods=["POST"], permissions=CODE_PERMISSIONS)
def code_deactivate(request: HttpRequest, *, installation, user, code_id: int) -> JsonResponse:
    with transaction.atomic():
        code = _code_or_404(installation, code_id)
        if not code.active:
            raise BadRequest(f"{code.code} is already inactive", status=409)
        referral_code_deactivate(code=code)
        audit_record(installation=installation, actor=user, action="code_deactivated",
                     object_type="referral_code", object_id=code.pk,
                     details={"code": code.code, "owner": code.owner_email})
    return JsonResponse({"code": code_json(code, request_base=_base(request))})


@dashboard_api(methods=["POST"], permissions=CODE_PERMISSIONS)
def code_rotate(request: HttpRequest, *, installation, user, code_id: int) -> JsonResponse:
    """The old code stops working at once; the owner gets a fresh one with their history."""
    with transaction.atomic():
        code = _code_or_404(installation, code_id)
        if not code.active:
            raise BadRequest(f"{code.code} is inactive; only an active code can be rotated",
                             status=409)
        fresh = referral_code_rotate(code=code)
        audit_record(installation=installation, actor=user, action="code_rotated",
                     object_type="referral_code", object_id=code.pk,
                     details={"old": code.code, "new": fresh.code, "owner": code.owner_email})
    base = _base(request)
    return JsonResponse({"code": code_json(fresh, request_base=base),
                         "old": code_json(code, request_base=base)}, status=201)
