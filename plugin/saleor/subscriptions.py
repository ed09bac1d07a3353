"""Compares subscription queries: which fields the app asks for that the captured query does not.

Keeping the app's subscriptions within the captured ones keeps the captured deliveries faithful
stand-ins for what a real Saleor sends the app. Fields are compared as paths of field names
(aliases resolved, fragments inlined, type conditions ignored), with their arguments.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)


def _field_segment(node: FieldNode) -> str:
    if not node.arguments:
        return node.name.value
    arguments = ",".join(sorted(print_ast(argument) for argument in node.arguments))
    return f"{node.name.value}({arguments})"


def _collect(
    selection: SelectionSetNode,
    prefix: str,
    fragments: dict[str, FragmentDefinitionNode],
    into: set[str],
    visiting: frozenset[str] = frozenset(),
) -> None:
    for node in selection.selections:
        if isinstance(node, FieldNode):
            path = f"{prefix}.{_field_segment(node)}" if prefix else _field_segment(node)
            into.add(path)
            if node.selection_set:
                _collect(node.selection_set, path, fragments, into, visiting)
        elif isinstance(node, InlineFragmentNode):
            _collect(node.selection_set, prefix, fragments, into, visiting)
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name in visiting:
                raise ValueError(f"fragment {name} spreads itself")
            if name not in fragments:
                raise ValueError(f"unknown fragment {name}")
            _collect(fragments[name].selection_set, prefix, fragments, into, visiting | {name})


def field_paths(query: str) -> set[str]:
    """Every field path a query selects, e.g. `event.order.lines.variant.sku`."""
    try:
        document: DocumentNode = parse(query)
    except GraphQLSyntaxError as exc:
        raise ValueError(f"not a GraphQL document: {exc.message}") from exc
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise ValueError("expected exactly one operation")
    paths: set[str] = set()
    _collect(operations[0].selection_set, "", fragments, paths)
    return paths


def subscription_fields_within(query: str, captured_query: str) -> list[str]:
    """Fields `query` asks for that `captured_query` does not (empty list: within), sorted."""
    return sorted(field_paths(query) - field_paths(captured_query))
