"""Writes for programs: save a draft, publish a checked version, roll back; each one audited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

import rules
from plugin.programs.actors import Actor
from plugin.programs.models import AuditAction, AuditLog, Program, ProgramVersion
from plugin.programs.reports import diagnostic_json, example_json, to_jsonable
from rules.evaluate.ab_tests import ab_test_of, promoted_source
from rules.syntax import parse

MAX_SOURCE_CHARS = 200_000  # far beyond any real program; keeps a request from storing megabytes
PROGRAM_FILENAME = "program.rules"


class PublishRefused(Exception):
    """The draft cannot go live: it does not check, or one of its examples fails."""

    def __init__(self, reason: str, *, diagnostics=(), examples=()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.diagnostics: list[dict[str, Any]] = list(diagnostics)
        self.examples: list[dict[str, Any]] = list(examples)


class ProgramError(ValueError):
    """A request about a program that can never succeed as asked (too large, wrong owner)."""


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def audit_record(
    *, installation, actor: Actor, action: str, object_type: str, object_id: str | int,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one row to the installation's audit log."""
    return AuditLog.objects.create(
        installation=installation,
        actor_user_id=str(getattr(actor, "user_id", "") or ""),
        actor_email=str(getattr(actor, "email", "") or ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=to_jsonable(details or {}),
    )


STARTER_DRAFT = """program "Referral program" currency USD

# A friend's first order earns the referrer 10% of it, paid out after the return window.
on order paid when referred and customer.orders == 0:
    give referrer 10% of order_total max 50 USD
    hold 30 days after fulfillment

example "a friend's first order":
    order_total = 200 USD, referred
    expect referrer gets 20 USD
"""


def program_get_or_create(*, installation, name: str = "Referral program") -> Program:
    """The installation's program; the first time, a draft to start from (nothing is live)."""
    program, _ = Program.objects.get_or_create(
        installation=installation, defaults={"name": name, "draft_source": STARTER_DRAFT}
    )
    return program


def program_save_draft(*, program: Program, source: str, actor: Actor) -> Program:
    """Store the merchant's draft as typed; it need not check (drafts may be half-written)."""
    if len(source) > MAX_SOURCE_CHARS:
        raise ProgramError(f"the program is longer than {MAX_SOURCE_CHARS} characters")
    previous_hash = source_hash(program.draft_source)
    program.draft_source = source
    program.updated_by_user_id = str(actor.user_id or "")
    program.updated_by_email = str(actor.email or "")
    with transaction.atomic():
        program.save(update_fields=["draft_source", "updated_at", "updated_by_user_id",
                                    "updated_by_email"])
        audit_record(
            installation=program.installation, actor=actor, action=AuditAction.DRAFT_SAVED,
            object_type="program", object_id=program.pk,
            details={"from_hash": previous_hash, "to_hash": source_hash(source),
                     "chars": len(source)},
        )
    return program


def _gate(source: str) -> tuple[Any, list[dict[str, Any]]]:
    """Check the source and run its examples; raise PublishRefused unless everything passes."""
    result = rules.check(source, PROGRAM_FILENAME)
    diagnostics = [diagnostic_json(d) for d in result.diagnostics]
    if not result.ok or result.program is None:
        raise PublishRefused("the program has errors", diagnostics=diagnostics)
    examples = [example_json(r) for r in result.program.run_examples()]
    failed = [e for e in examples if not e["passed"]]
    if failed:
        names = ", ".join(repr(e["name"]) for e in failed)
        raise PublishRefused(f"examples failed: {names}", diagnostics=diagnostics,
                             examples=examples)
    return result.program, examples


def program_publish(*, program: Program, actor: Actor, source: str | None = None
                    ) -> ProgramVersion:
    """Freeze the draft (or `source`, leaving the draft as it is) as the next version and make
    it live; refused unless it checks and all of its examples pass (the refusal is audited)."""
    source = program.draft_source if source is None else source
    try:
        compiled, examples = _gate(source)
    except PublishRefused as refusal:
        audit_record(
            installation=program.installation, actor=actor, action=AuditAction.PUBLISH_REFUSED,
            object_type="program", object_id=program.pk,
            details={"reason": refusal.reason, "hash": source_hash(source)},
        )
        raise
    report = to_jsonable(compiled.static_report())
    with transaction.atomic():
        # Lock the program row so two publishes cannot both take the same number.
        locked = Program.objects.select_for_update().get(pk=program.pk)
        last = locked.versions.order_by("-number").values_list("number", flat=True).first()
        version = ProgramVersion.objects.create(
            installation_id=locked.installation_id,
            program=locked,
            number=(last or 0) + 1,
            source=source,
            source_hash=source_hash(source),
            static_report=report if isinstance(report, dict) else {"report": report},
            published_at=timezone.now(),
            published_by_user_id=str(actor.user_id or ""),
            published_by_email=str(actor.email or ""),
        )
        locked.current_version = version
        locked.save(update_fields=["current_version", "updated_at"])
        audit_record(
            installation=locked.installation, actor=actor, action=AuditAction.PUBLISHED,
            object_type="program_version", object_id=version.pk,
            details={"number": version.number, "hash": version.source_hash,
                     "examples": len(examples)},
        )
    program.refresh_from_db()
    return version


def program_rollback(*, program: Program, version: ProgramVersion, actor: Actor) -> Program:
    """Make an earlier version live again; nothing is rewritten, only the pointer moves."""
    if version.program_id != program.pk or version.installation_id != program.installation_id:
        raise ProgramError("that version belongs to another program")
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        previous = locked.current_version
        locked.current_version = version
        locked.save(update_fields=["current_version", "updated_at"])
        audit_record(
            installation=locked.installation, actor=actor, action=AuditAction.ROLLED_BACK,
            object_type="program_version", object_id=version.pk,
            details={"to_number": version.number,
                     "from_number": previous.number if previous else None},
        )
    program.refresh_from_db()
    return program


def program_variant_promote(*, program: Program, variant: str, actor: Actor) -> ProgramVersion:
    """End the live version's A/B test: publish it with the test replaced by `variant`'s rules
    and examples (the merchant's draft stays as it is), audited with the test and variant."""
    live = program.current_version
    node = parse(live.source)[0] if live is not None else None
    test = ab_test_of(node) if node is not None else None
    if live is None or node is None or test is None:
        raise ProgramError("the live version runs no A/B test")
    try:
        source = promoted_source(live.source, node, variant)
    except ValueError as exc:
        raise ProgramError(str(exc)) from exc
    version = program_publish(program=program, actor=actor, source=source)
    audit_record(
        installation=program.installation, actor=actor, action=AuditAction.AB_TEST_PROMOTED,
        object_type="program_version", object_id=version.pk,
        details={"test": test.name, "variant": variant, "from_number": live.number,
                 "number": version.number},
    )
    return version
