"""The merchant's own copy of the playbook e-mails: invite, follow-up, social share, win-back,
reorder reminder. Plain text with `$placeholders` (string.Template: substitution only, no
attribute access or logic), checked on save with line:col errors; rendered before the files.
"""

from __future__ import annotations

from string import Template
from typing import Any

from plugin.playbook.models import MessageCopy

_COMMON = ("shop_name", "name", "unsubscribe_url")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "referral_invite": (*_COMMON, "link", "code", "qr_url", "share_text"),
    "referral_followup": (*_COMMON, "link", "code", "qr_url", "share_text"),
    "social_share": ("shop_name", "name", "link", "code"),
    "win_back": (*_COMMON, "offer", "code", "expires", "usual_days"),
    "reorder_reminder": (*_COMMON, "reorder_url", "next_order", "usual_days"),
}
# what each e-mail must keep (one placeholder of each group): the way out, and the link it
# exists to carry (the share text carries the link too)
_LINK = ("link", "share_text")
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "referral_invite": (("unsubscribe_url",), _LINK),
    "referral_followup": (("unsubscribe_url",), _LINK),
    "social_share": (("link",),),
    "win_back": (("unsubscribe_url",),),
    "reorder_reminder": (("unsubscribe_url",),),
}
MAX_SUBJECT, MAX_BODY = 200, 5000


class CopyError(ValueError):
    """Copy that cannot be saved; the message names the place (`body:3:14: …`)."""


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _check(part: str, text: str, allowed: tuple[str, ...]) -> set[str]:
    used: set[str] = set()
    for match in Template.pattern.finditer(text):
        if match.group("escaped") is not None:
            continue
        name = match.group("named") or match.group("braced")
        if name is None:
            raise CopyError(f"{part}:{_position(text, match.start())}: a lone `$`; write `$$` "
                            "for a dollar sign")
        if name not in allowed:
            raise CopyError(f"{part}:{_position(text, match.start())}: unknown placeholder "
                            f"`${name}`; use one of {', '.join('$' + a for a in allowed)}")
        used.add(name)
    return used


def message_copy_set(*, installation: Any, template: str, subject: str, body: str,
                     actor_email: str = "") -> MessageCopy:
    """Save the merchant's wording of `template` after checking it."""
    if template not in PLACEHOLDERS:
        raise CopyError(f"`{template}` is not an editable e-mail; one of "
                        f"{', '.join(PLACEHOLDERS)}")
    subject, body = subject.strip(), body.strip()
    if not subject or "\n" in subject or len(subject) > MAX_SUBJECT:
        raise CopyError(f"subject: one line of 1 to {MAX_SUBJECT} characters")
    if not body or len(body) > MAX_BODY:
        raise CopyError(f"body: 1 to {MAX_BODY} characters")
    allowed = PLACEHOLDERS[template]
    used = _check("subject", subject, allowed) | _check("body", body, allowed)
    for group in REQUIRED[template]:
        if not used & set(group):
            raise CopyError(f"body: must contain {' or '.join('$' + name for name in group)}")
    copy, _ = MessageCopy.objects.update_or_create(
        installation=installation, template=template,
        defaults={"subject": subject, "body": body, "updated_by": actor_email},
    )
    return copy


def message_copy_reset(*, installation: Any, template: str) -> None:
    """Back to the shipped wording."""
    MessageCopy.objects.filter(installation=installation, template=template).delete()


def message_copy_get(*, installation: Any, template: str) -> MessageCopy | None:
    return MessageCopy.objects.filter(installation=installation, template=template).first()


def message_copy_render(*, installation: Any, template: str, context: dict
                        ) -> tuple[str, str, None] | None:
    """The renderer `message_render` asks first: the merchant's copy, or None for the files."""
    if installation is None or template not in PLACEHOLDERS:
        return None
    copy = message_copy_get(installation=installation, template=template)
    if copy is None:
        return None
    values = {name: "" if context.get(name) is None else str(context[name])
              for name in PLACEHOLDERS[template]}
    return (Template(copy.subject).safe_substitute(values),
            Template(copy.body).safe_substitute(values), None)
