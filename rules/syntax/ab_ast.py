"""Syntax tree nodes of A/B tests, part of `rules.ast` (which re-exports them): an `ab test`
item holds weighted variants, each with the rules only the customers in it get."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rules.source import Span

if TYPE_CHECKING:
    from rules.syntax.ast import Example, Rule


@dataclass(frozen=True, slots=True)
class Variant:
    """`variant "B" weight 1:`, its rules, and examples that run on this variant only."""

    name: str
    weight: int  # -1 when not a whole number (the checker says so)
    rules: tuple[Rule, ...]
    span: Span
    name_span: Span | None = None
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True, slots=True)
class ABTest:
    """`ab test "Welcome offer" salt "w1":` with its variants; the salt defaults to the name."""

    name: str
    variants: tuple[Variant, ...]
    span: Span
    salt: str | None = None
