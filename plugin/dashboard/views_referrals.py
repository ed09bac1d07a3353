"""The referral side as the merchant sees it: referrals, the rewards ledger, the review queue
(approve / reject with a reason, audited), contest standings and headline figures."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from plugin.dashboard import selectors
from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest, field, json_body
from plugin.dashboard.permissions import CUSTOMER_DATA, DISCOUNT_CHANGE, ORDER_DATA
from plugin.programs.models import AuditAction
from plugin.programs.services import audit_record
from plugin.referrals.models import Referral
from plugin.referrals.services import referral_review_decide
from plugin.rewards.lifecycle import reward_review_approve
from plugin.rewards.models import Reward, RewardState
from plugin.rewards.services import RewardError, reward_review_reject

MAX_REASON = 240


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def referrals(request: HttpRequest, *, installation, user) -> JsonResponse:
    status = request.GET.get("status", "")
    if status and status not in Referral.Status.values:
        raise BadRequest(f"status must be one of {', '.join(Referral.Status.values)}")
    return JsonResponse({"referrals": selectors.dashboard_referrals(installation=installation,
                                                                   status=status)})


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def rewards(request: HttpRequest, *, installation, user) -> JsonResponse:
    state = request.GET.get("state", "")
    if state and state not in RewardState.values:
        raise BadRequest(f"state must be one of {', '.join(RewardState.values)}")
    email = request.GET.get("email", "")[:320]
    return JsonResponse({"rewards": selectors.dashboard_rewards(
        installation=installation, state=state, email=email)})


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def review_queue(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse({"items": selectors.dashboard_review_queue(installation=installation)})


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def review_decide(request: HttpRequest, *, installation, user, kind: str, item_id: int):
    """`{"decision": "approve" | "reject", "reason": "..."}`; a rejection needs its reason."""
    data = json_body(request)
    decision = field(data, "decision", str)
    reason = field(data, "reason", str, required=False, default="").strip()
    if decision not in ("approve", "reject"):
        raise BadRequest("decision must be approve or reject")
    if decision == "reject" and not reason:
        raise BadRequest("a rejection needs a reason")
    if len(reason) > MAX_REASON:
        raise BadRequest(f"the reason is longer than {MAX_REASON} characters")
    approve = decision == "approve"
    with transaction.atomic():
        if kind == "reward":
            reward = Reward.objects.filter(installation=installation, pk=item_id).first()
            if reward is None:
                raise BadRequest(f"reward {item_id} does not exist", status=404)
            try:
                if approve:
                    reward_review_approve(entry=reward, actor=user.email, reason=reason)
                else:
                    reward_review_reject(entry=reward, actor=user.email, reason=reason)
            except RewardError as exc:
                raise BadRequest(str(exc), status=409) from exc
        else:
            referral = Referral.objects.filter(installation=installation, pk=item_id).first()
            if referral is None:
                raise BadRequest(f"referral {item_id} does not exist", status=404)
            try:
                referral_review_decide(referral=referral, approve=approve, actor=user.email,
                                       reason=reason)
            except ValueError as exc:
                raise BadRequest(str(exc), status=409) from exc
        audit_record(installation=installation, actor=user,
                     action=AuditAction.REWARD_APPROVED if approve else AuditAction.REWARD_REJECTED,
                     object_type=kind, object_id=item_id, details={"reason": reason})
    return JsonResponse({"ok": True, "decision": decision})


@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def contests(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse({"contests": selectors.dashboard_contests(installation=installation)})


@dashboard_api(methods=["GET"], permissions=ORDER_DATA)
def overview(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse(selectors.dashboard_overview(installation=installation))
