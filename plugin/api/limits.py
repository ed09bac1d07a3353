"""What one storefront query may ask for: aliases, fields, depth and an estimated cost.

`QueryLimitsRule` is a graphql-core validation rule. The view runs it on its own, before the
standard rules: some of those (overlapping fields) take time quadratic in the number of
aliases, which is how 40,000 aliases of `leaderboard` once held a worker for 49 s.

The walk expands fragments with an explicit stack and stops at the first limit it passes, so
its own cost is bounded by the limits, whatever the document (fragment cycles included).
Graphene's own depth validator recurses per fragment spread without memo and would not be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.language.visitor import SKIP

MAX_TOKENS = 2_000
MAX_ALIASES = 20
MAX_FIELDS = 200
MAX_DEPTH = 8
MAX_COST = 100
# A root field costs the app database work; below it, an object or list costs 1 and a scalar
# nothing (both are read from objects already in memory).
ROOT_COST = 10
# Selections visited while expanding fragments, fields or not: spreads of spreads that select
# nothing still take time, and a fragment cycle would never end.
MAX_VISITS = 1_000
# The introspection query (about 300 fields once its fragments are expanded) nests `ofType`
# deeply but is answered from memory, and graphql-core bounds its recursion
# (MaxIntrospectionDepthRule): those subtrees count towards MAX_VISITS and aliases only.
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    node: Any


def _limit(code: str, what: str, limit: int, node: Any) -> Refusal:
    return Refusal(code, f"the query {what}; at most {limit} are allowed", node)


def operation_refusal(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> Refusal | None:
    """The first limit this operation passes, or None when it is within all of them."""
    aliases = fields = visits = cost = 0
    # (selection set, depth of its fields, inside introspection)
    todo: list[tuple[SelectionSetNode, int, bool]] = [(operation.selection_set, 1, False)]
    while todo:
        selection_set, depth, introspection = todo.pop()
        for selection in selection_set.selections:
            visits += 1
            if visits > MAX_VISITS:
                return _limit("QUERY_TOO_COMPLEX", "expands to too many selections",
                              MAX_VISITS, selection)
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if selection.alias is not None:
                    aliases += 1
                    if aliases > MAX_ALIASES:
                        return _limit("TOO_MANY_ALIASES", "has too many aliases", MAX_ALIASES,
                                      selection)
                inner = introspection or name in INTROSPECTION_ROOTS
                if not inner:
                    fields += 1
                    if fields > MAX_FIELDS:
                        return _limit("TOO_MANY_FIELDS", "selects too many fields", MAX_FIELDS,
                                      selection)
                    if depth > MAX_DEPTH:
                        return _limit("QUERY_TOO_DEEP", "nests too deeply", MAX_DEPTH, selection)
                    if depth == 1:
                        cost += ROOT_COST
                    elif selection.selection_set is not None:
                        cost += 1
                    if cost > MAX_COST:
                        return Refusal("QUERY_TOO_COSTLY",
                                       f"the query's estimated cost passes {MAX_COST}; ask for"
                                       " less in one request", selection)
                if selection.selection_set is not None:
                    todo.append((selection.selection_set, depth + 1, inner))
            elif isinstance(selection, InlineFragmentNode):
                todo.append((selection.selection_set, depth, introspection))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:  # an unknown one is the standard rules' to report
                    todo.append((fragment.selection_set, depth, introspection))
    return None


class QueryLimitsRule(ValidationRule):
    """Refuses an operation past MAX_ALIASES, MAX_FIELDS, MAX_DEPTH or MAX_COST."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> Any:
        fragments = {
            definition.name.value: definition
            for definition in self.context.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        refusal = operation_refusal(node, fragments)
        if refusal is not None:
            self.report_error(GraphQLError(refusal.message, refusal.node,
                                           extensions={"code": refusal.code}))
        return SKIP
