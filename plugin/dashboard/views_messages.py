"""The Messages page: the merchant's wording of the playbook e-mails, a preview rendered by the
code that sends them, errors with their position, and reset to the shipped wording."""

from __future__ import annotations

import re

from django.db import transaction
from django.http import HttpRequest, JsonResponse

from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest, field, json_body
from plugin.dashboard.message_samples import LABELS, STARTERS, sample_context
from plugin.dashboard.permissions import DISCOUNT_CHANGE
from plugin.messages.services import message_render
from plugin.playbook.copy import (
    PLACEHOLDERS,
    REQUIRED,
    CopyError,
    message_copy_get,
    message_copy_reset,
    message_copy_set,
)
from plugin.programs.services import audit_record

_WHERE = re.compile(r"^(?P<part>subject|body)(?::(?P<line>\d+):(?P<col>\d+))?: ")


def copy_error_json(error: CopyError) -> dict:
    """The reason and, when the copy service named one, where: part, line and column."""
    text = str(error)
    match = _WHERE.match(text)
    if not match:
        return {"error": text, "position": None}
    line, col = match["line"], match["col"]
    position = {"part": match["part"], "line": int(line) if line else None,
                "col": int(col) if col else None}
    return {"error": text, "position": position}


def _template(name: str) -> str:
    if name not in PLACEHOLDERS:
        raise BadRequest(f"{name!r} is not an editable e-mail", status=404)
    return name


def _render(installation, template: str, request: HttpRequest) -> dict:
    """Subject and text as `message_send` would produce them now (share text included)."""
    context = sample_context(request_base=request.build_absolute_uri("/"))
    if "share_text" in PLACEHOLDERS[template]:
        _, share_text, _ = message_render(installation=installation, template="social_share",
                                          context=context)
        context["share_text"] = share_text.strip()
    subject, text, html = message_render(installation=installation, template=template,
                                         context=context)
    return {"subject": subject, "text": text, "has_html": html is not None}


def message_json(installation, template: str) -> dict:
    copy = message_copy_get(installation=installation, template=template)
    subject, body = (copy.subject, copy.body) if copy else STARTERS[template]
    return {
        "template": template, "label": LABELS[template], "customized": copy is not None,
        "subject": subject, "body": body, "placeholders": list(PLACEHOLDERS[template]),
        "required": [list(group) for group in REQUIRED[template]],
        "updated_by": copy.updated_by if copy else "",
    }


@dashboard_api(methods=["GET"])
def messages_list(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse({"messages": [message_json(installation, t) for t in PLACEHOLDERS]})


def _draft(data: dict) -> tuple[str, str]:
    return field(data, "subject", str), field(data, "body", str)


@dashboard_api(methods=["POST"])
def message_preview(request: HttpRequest, *, installation, user, template: str):
    """`{"subject", "body"}` checked and rendered as sent, without saving; `{"shipped": true}`
    previews the shipped wording. A copy error is a 422 with its position."""
    template = _template(template)
    data = json_body(request)
    shipped = data.get("shipped") is True
    subject, body = ("", "") if shipped else _draft(data)
    # Save, render through the sending code, roll back: the preview is what would be sent.
    with transaction.atomic():
        if shipped:
            message_copy_reset(installation=installation, template=template)
        else:
            try:
                message_copy_set(installation=installation, template=template,
                                 subject=subject, body=body)
            except CopyError as error:
                transaction.set_rollback(True)
                return JsonResponse(copy_error_json(error), status=422)
        rendered = _render(installation, template, request)
        transaction.set_rollback(True)
    return JsonResponse({"preview": rendered})


@dashboard_api(methods=["PUT", "POST"], permissions=DISCOUNT_CHANGE)
def message_save(request: HttpRequest, *, installation, user, template: str) -> JsonResponse:
    template = _template(template)
    subject, body = _draft(json_body(request))
    with transaction.atomic():
        try:
            message_copy_set(installation=installation, template=template, subject=subject,
                             body=body, actor_email=user.email)
        except CopyError as error:
            transaction.set_rollback(True)
            return JsonResponse(copy_error_json(error), status=422)
        audit_record(installation=installation, actor=user, action="message_saved",
                     object_type="message", object_id=template,
                     details={"subject": subject.strip()})
    return JsonResponse({"message": message_json(installation, template),
                         "preview": _render(installation, template, request)})


@dashboard_api(methods=["POST"], permissions=DISCOUNT_CHANGE)
def message_reset(request: HttpRequest, *, installation, user, template: str) -> JsonResponse:
    template = _template(template)
    with transaction.atomic():
        message_copy_reset(installation=installation, template=template)
        audit_record(installation=installation, actor=user, action="message_reset",
                     object_type="message", object_id=template)
    return JsonResponse({"message": message_json(installation, template),
                         "preview": _render(installation, template, request)})
