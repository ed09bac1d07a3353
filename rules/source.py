"""Source positions, diagnostics and their `file:line:col: error: …` rendering with a caret line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of source text; lines and columns are 1-based, the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of `other`."""
        return Span(self.line, self.column, other.end_line, other.end_column)


NO_SPAN = Span(1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a program, with where it is and, when we can tell, what to do."""

    severity: Severity
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    hint: str | None = None
    filename: str = "program.rules"

    @classmethod
    def at(
        cls,
        span: Span,
        message: str,
        *,
        severity: Severity = "error",
        hint: str | None = None,
        filename: str = "program.rules",
    ) -> Diagnostic:
        return cls(
            severity, message, span.line, span.column, span.end_line, span.end_column, hint,
            filename,
        )

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def headline(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def render(self, source: str) -> str:
        """The headline, the offending source line and a caret under the span, then the hint."""
        out = [self.headline()]
        lines = source.splitlines()
        if 1 <= self.line <= len(lines):
            text = lines[self.line - 1].replace("\t", " ")
            out.append(f"    {text}")
            start = max(self.column, 1)
            end = self.end_column if self.end_line == self.line else len(text) + 1
            width = max(1, min(end, len(text) + 1) - start)
            out.append("    " + " " * (start - 1) + "^" + "~" * (width - 1))
        if self.hint:
            out.append(f"    hint: {self.hint}")
        return "\n".join(out)

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "hint": self.hint,
        }


class RulesError(Exception):
    """A program that cannot be used, with every diagnostic that says why."""

    def __init__(self, diagnostics: list[Diagnostic], source: str | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.source = source
        errors = [d for d in self.diagnostics if d.is_error] or self.diagnostics
        first = errors[0].headline() if errors else "invalid program"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

    def render(self) -> str:
        return "\n".join(d.render(self.source or "") for d in self.diagnostics)


class EvaluationError(Exception):
    """Evaluation could not finish: step limit, a currency the program does not use, bad facts."""
