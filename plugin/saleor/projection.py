"""Trims a JSON result to the selection set of a GraphQL operation, as a server would answer.

Used by the fake Saleor so canned answers hold only the fields a document asked for (aliases
applied); a field the canned data lacks is left out rather than invented.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


def _project(
    value: Any, selection: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Any:
    if selection is None or value is None:
        return value
    if isinstance(value, list):
        return [_project(item, selection, fragments) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    _merge_into(result, value, selection, fragments)
    return result


def _type_matches(value: dict[str, Any], type_name: str | None) -> bool:
    typename = value.get("__typename")
    return type_name is None or typename is None or typename == type_name


def _merge_into(
    result: dict[str, Any],
    value: dict[str, Any],
    selection: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> None:
    for node in selection.selections:
        if isinstance(node, FieldNode):
            name = node.name.value
            key = node.alias.value if node.alias else name
            if name in value:
                projected = _project(value[name], node.selection_set, fragments)
                existing = result.get(key)
                if isinstance(existing, dict) and isinstance(projected, dict):
                    existing.update(projected)
                else:
                    result[key] = projected
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else None
            if _type_matches(value, condition):
                _merge_into(result, value, node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments[node.name.value]
            if _type_matches(value, fragment.type_condition.name.value):
                _merge_into(result, value, fragment.selection_set, fragments)


def project_data(data: dict[str, Any], document: DocumentNode) -> dict[str, Any]:
    """`data` reduced to what the document's single operation selects."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return _project(data, operation.selection_set, fragments)
