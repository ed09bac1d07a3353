"""A/B tests in a program: the checks of an `ab test` block, and its expansion into one program
per variant (the shared items plus that variant's rules, in the test's place), each checked and
compiled as any program; the app then evaluates the variant each customer is assigned to."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rules.evaluate.variants import variant_key, variant_pick
from rules.facts import Facts
from rules.source import Diagnostic
from rules.syntax import ast

MAX_VARIANTS = 10
MAX_WEIGHT = 1000


@dataclass(frozen=True, slots=True)
class ABTestInfo:
    """What the app needs of a program's A/B test: its name, salt and weighted variants, the
    first being the control that examples and the editor's static report describe."""

    name: str
    salt: str
    variants: tuple[tuple[str, int], ...]
    line: int

    def variant_of(self, *, customer_id: str | None, email: str) -> str:
        """The variant of one customer (a referrer, for their referrals)."""
        key = variant_key(customer_id=customer_id, email=email)
        return variant_pick(salt=self.salt, key=key, weights=self.variants)

    def variant_for(self, facts: Facts) -> str:
        """The variant of the referrer when the customer was referred (the advocate who shared
        the offer: their friends get what they were told, and their invites, visits and
        referrals count for their variant), else of the customer the event is about; by Saleor
        id, else by e-mail."""
        referral, customer = facts.referral, facts.customer
        if referral.is_referred and (referral.referrer.id or referral.referrer.email):
            return self.variant_of(customer_id=referral.referrer.id,
                                   email=referral.referrer.email or "")
        if customer is None:
            return self.variant_of(customer_id=None, email="")
        return self.variant_of(customer_id=customer.id, email=customer.email)


def ab_test_of(node: ast.ProgramNode) -> ast.ABTest | None:
    return next((item for item in node.items if isinstance(item, ast.ABTest)), None)


def ab_test_info(test: ast.ABTest) -> ABTestInfo:
    return ABTestInfo(test.name, test.salt if test.salt is not None else test.name,
                      tuple((v.name, v.weight) for v in test.variants), test.span.line)


def expanded(node: ast.ProgramNode, variant: ast.Variant) -> ast.ProgramNode:
    """The program as the customers of `variant` get it: its rules where the test stood."""
    items: list[ast.Item] = []
    for item in node.items:
        if isinstance(item, ast.ABTest):  # a second test is an error of its own: left out
            if any(v is variant for v in item.variants):
                items.extend((*variant.rules, *variant.examples))
        else:
            items.append(item)
    return dataclasses.replace(node, items=tuple(items))


def ab_test_diagnostics(node: ast.ProgramNode, filename: str) -> list[Diagnostic]:
    """What is wrong with the program's A/B tests themselves (the rules in them are checked in
    each variant's expansion)."""
    found: list[Diagnostic] = []

    def error(span, message: str, hint: str | None = None) -> None:
        found.append(Diagnostic.at(span, message, hint=hint, filename=filename))

    tests = [item for item in node.items if isinstance(item, ast.ABTest)]
    for extra in tests[1:]:
        error(extra.span, "a program runs one A/B test at a time",
              f"the first is at line {tests[0].span.line}; end it before starting another")
    for test in tests:
        if not test.name.strip():
            error(test.span, "an A/B test needs a name")
        for variant in test.variants:
            if not variant.rules:
                error(variant.span, f"variant \"{variant.name}\" has no rules")
        if len(test.variants) < 2:
            error(test.span, "an A/B test needs at least two variants")
        if len(test.variants) > MAX_VARIANTS:
            error(test.span, f"an A/B test has at most {MAX_VARIANTS} variants")
        seen: set[str] = set()
        for variant in test.variants:
            where = variant.name_span or variant.span
            if variant.name in seen:
                error(where, f"two variants are named \"{variant.name}\"")
            seen.add(variant.name)
            if not variant.name.strip():
                error(where, "a variant needs a name")
            if not 1 <= variant.weight <= MAX_WEIGHT:
                error(variant.span, f"a variant's weight is a whole number from 1 to "
                                    f"{MAX_WEIGHT}")
    return found


def merged(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics of every expansion once each: the shared items are checked in each."""
    seen: set[tuple] = set()
    kept = []
    for diagnostic in diagnostics:
        key = (diagnostic.line, diagnostic.column, diagnostic.severity, diagnostic.message)
        if key not in seen:
            seen.add(key)
            kept.append(diagnostic)
    return kept


def promoted_source(source: str, node: ast.ProgramNode, variant_name: str) -> str:
    """The program's text with its A/B test replaced by the rules and examples of
    `variant_name`, written as they were (comments inside them kept), one level of blocks less
    deep: the program that gives every customer the winner, the others' examples left out."""
    test = ab_test_of(node)
    variant = next((v for v in test.variants if v.name == variant_name), None) if test else None
    if test is None or variant is None:
        raise ValueError(f"this program has no A/B test variant named {variant_name!r}")
    lines = source.splitlines()
    first = min(item.span.line for item in (*variant.rules, *variant.examples))
    indent = len(lines[first - 1]) - len(lines[first - 1].lstrip())
    body = [line[indent:] if line[:indent].strip() == "" else line.lstrip()
            for line in lines[first - 1:variant.span.end_line]]
    kept = lines[:test.span.line - 1] + body + lines[test.span.end_line:]
    return "\n".join(kept) + "\n"
