"""The state of one evaluation by the interpreter: its facts, the rewards so far, and (when
recording) the trace and hints that explain them."""

from __future__ import annotations

from rules.evaluate.decision import Reward, TraceStep
from rules.facts import Facts


class Run:
    """State of one evaluation."""

    def __init__(self, facts: Facts, currency: str, record: bool) -> None:
        self.facts = facts
        self.currency = currency
        self.record = record
        self.steps = 0
        self.trace: list[TraceStep] = []
        self.hints: list[str] = []
        self.rewards: list[Reward] = []

    def note(self, node, kind: str, text: str, held: bool | None = None, value: str | None = None):
        if self.record:
            span = node.span
            self.trace.append(TraceStep(span.line, span.column, kind, text, held, value))
