"""Reads for programs: the live compiled program (cached by source hash), versions, diffs, audit."""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict

from django.db.models import F

import rules
from plugin.programs.models import AuditLog, Program, ProgramVersion

PROGRAM_FILENAME = "program.rules"
_CACHE_SIZE = 64


class _CompiledCache:
    """Compiled programs by source hash: a program is immutable and safe to share."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compile(self, *, key: str, source: str):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        compiled = _compile(source)
        with self._lock:
            self._items[key] = compiled
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _compile(source: str):
    compile_program = getattr(rules, "compile_program", None)
    if compile_program is not None:
        return compile_program(source, PROGRAM_FILENAME)
    result = rules.check(source, PROGRAM_FILENAME)
    if not result.ok:  # a stored version always checked when it was published
        raise ValueError("published program no longer checks")
    return result.program


compiled_cache = _CompiledCache(_CACHE_SIZE)


def program_get(*, installation) -> Program | None:
    return (
        Program.objects.select_related("current_version")
        .filter(installation=installation)
        .first()
    )


def program_published(*, installation) -> tuple[ProgramVersion, object] | None:
    """The live version of the installation's program and its compiled form, or None.
    Called on every webhook: one query, then the compiled program from the cache."""
    version = (
        ProgramVersion.objects.filter(
            installation=installation, program__current_version_id=F("pk")
        )
        .only("id", "number", "source", "source_hash", "program_id", "installation_id",
              "published_at")
        .first()
    )
    if version is None:
        return None
    return version, compiled_cache.get_or_compile(key=version.source_hash, source=version.source)


def program_versions(*, program: Program) -> list[ProgramVersion]:
    return list(program.versions.order_by("-number"))


def program_version_get(*, program: Program, number: int) -> ProgramVersion | None:
    return program.versions.filter(number=number).first()


def program_diff(*, a: ProgramVersion | str, b: ProgramVersion | str,
                 a_label: str | None = None, b_label: str | None = None) -> str:
    """A unified diff from `a` to `b` (versions or plain sources)."""
    def lines(item) -> list[str]:
        source = item.source if isinstance(item, ProgramVersion) else item
        # A last line without a newline would run into the next diff line.
        return [line if line.endswith("\n") else line + "\n"
                for line in source.splitlines(keepends=True)]

    def label(item, given):
        if given:
            return given
        return f"v{item.number}" if isinstance(item, ProgramVersion) else "draft"

    return "".join(
        difflib.unified_diff(
            lines(a),
            lines(b),
            fromfile=label(a, a_label),
            tofile=label(b, b_label),
        )
    )


def audit_log_list(*, installation, limit: int = 200) -> list[AuditLog]:
    return list(AuditLog.objects.filter(installation=installation)[:limit])
