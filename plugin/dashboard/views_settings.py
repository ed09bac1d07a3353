"""The referral settings page: read and change `ReferralSettings` (storefront link target,
attribution window, fraud limits), with errors per field; every change is audited."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest, json_body
from plugin.dashboard.permissions import DISCOUNT_CHANGE
from plugin.programs.services import audit_record
from plugin.referrals.selectors import referral_settings_get
from plugin.referrals.services import referral_settings_update

AUDIT_SETTINGS_CHANGED = "settings_changed"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
CODE_PARAM = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
# name -> (inclusive bounds); the counts and windows a merchant may set
BOUNDS: dict[str, tuple[int, int]] = {
    "attribution_days": (1, 365),
    "velocity_per_day": (1, 10_000),
    "leaked_referees_per_day": (1, 10_000),
    "shared_address_referees": (1, 1_000),
}
FIELDS = ("storefront_url", "code_param", *BOUNDS, "code_voucher_percent")


def settings_json(settings) -> dict[str, Any]:
    return {name: str(getattr(settings, name)) if name == "code_voucher_percent"
            else getattr(settings, name) for name in FIELDS}


def storefront_url_problem(url: str) -> str | None:
    """Why `url` cannot carry shoppers to the shop, or None. https only; plain http is for a
    developer's own machine (localhost in DEBUG). No credentials, no fragments."""
    if url == "":
        return None  # no storefront: share links open the app's landing page
    if len(url) > 512:
        return "at most 512 characters"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "must be a full web address, like https://shop.example.com/"
    if parts.scheme == "http" and not (django_settings.DEBUG and host in LOCAL_HOSTS):
        return "must start with https:// (plain http only for localhost while developing)"
    if parts.username or parts.password:
        return "must not contain a user name or password"
    if parts.fragment:
        return "must not contain a #fragment (the code is added to the query)"
    return None


def _cleaned(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The known fields of `data`, typed, and the problems found, by field name."""
    changes: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name in ("storefront_url", "code_param"):
        if name in data:
            value = data[name]
            if not isinstance(value, str):
                problems[name] = "must be text"
                continue
            changes[name] = value.strip()
    if "storefront_url" in changes:
        problem = storefront_url_problem(changes["storefront_url"])
        if problem:
            problems["storefront_url"] = problem
    if "code_param" in changes and not CODE_PARAM.fullmatch(changes["code_param"]):
        problems["code_param"] = "a letter, then up to 31 letters, digits, - or _"
    for name, (low, high) in BOUNDS.items():
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            problems[name] = "must be a whole number"
        elif not low <= value <= high:
            problems[name] = f"must be between {low} and {high}"
        else:
            changes[name] = value
    if "code_voucher_percent" in data:
        try:
            percent = Decimal(str(data["code_voucher_percent"]).strip())
        except InvalidOperation:
            problems["code_voucher_percent"] = "must be a number"
        else:
            if not percent.is_finite() or not 0 <= percent <= 100:
                problems["code_voucher_percent"] = "must be between 0 and 100"
            elif percent != percent.quantize(Decimal("0.01")):
                problems["code_voucher_percent"] = "at most two decimals"
            else:
                changes["code_voucher_percent"] = percent
    return changes, problems


@dashboard_api(methods=["GET"])
def settings_detail(request: HttpRequest, *, installation, user) -> JsonResponse:
    found = referral_settings_get(installation=installation)
    return JsonResponse({"settings": settings_json(found), "bounds": BOUNDS,
                         "saved": found.pk is not None})


@dashboard_api(methods=["PUT", "POST"], permissions=DISCOUNT_CHANGE)
def settings_update(request: HttpRequest, *, installation, user) -> JsonResponse:
    """Changes the fields sent; 422 with `fields` {name: reason} when any is wrong (none saved)."""
    data = json_body(request)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise BadRequest(f"unknown setting {unknown[0]!r}")
    changes, problems = _cleaned(data)
    if problems:
        raise BadRequest("some settings are not valid", status=422, fields=problems)
    before = settings_json(referral_settings_get(installation=installation))
    with transaction.atomic():
        try:
            saved = referral_settings_update(installation=installation, **changes)
        except ValidationError as error:
            fields = {name: " ".join(messages) for name, messages in
                      getattr(error, "message_dict", {"__all__": error.messages}).items()}
            raise BadRequest("some settings are not valid", status=422, fields=fields) from error
        after = settings_json(saved)
        changed = {name: [before[name], after[name]] for name in FIELDS
                   if before[name] != after[name]}
        if changed:
            audit_record(installation=installation, actor=user, action=AUDIT_SETTINGS_CHANGED,
                         object_type="referral_settings", object_id=saved.pk,
                         details={"changed": changed})
    return JsonResponse({"settings": after, "changed": sorted(changed), "saved": True})
