"""Loads the GraphQL documents the app sends (`documents/<name>.graphql`) once, with fragments.

A document may spread fragments defined in `documents/fragments/*.graphql`; the ones it uses
(transitively) are appended, so every document sent is self-contained.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

DOCUMENTS_DIR = resources.files(__package__) / "documents"
FRAGMENTS_DIR = DOCUMENTS_DIR / "fragments"


def _graphql_files(folder: Traversable) -> list[Traversable]:
    """The `*.graphql` files of a package folder, by name."""
    return sorted((p for p in folder.iterdir() if p.is_file() and p.name.endswith(".graphql")),
                  key=lambda p: p.name)


# Mutations a repeat cannot double, so the client may resend them after a lost answer: each
# carries a key of the app's own or sets a state. Every other mutation is sent once per call.
RETRY_SAFE_MUTATIONS: dict[str, str] = {
    "voucher_create": "addCodes holds the app's random code: a repeat answers ALREADY_EXISTS",
    "voucher_add_codes": "the codes are the app's keys: a repeat answers ALREADY_EXISTS",
    "voucher_channel_listing_update": "sets the voucher's value in a channel",
    "customer_metadata_update": "sets metadata keys to values",
    "private_metadata_update": "sets private metadata keys to values",
}


class UnknownDocument(KeyError):
    """No `documents/<name>.graphql`."""


@dataclass(frozen=True, slots=True)
class Document:
    """One operation, ready to send."""

    name: str  # file stem, e.g. "order_get"
    operation_name: str  # e.g. "OrderGet"
    operation_type: str  # "query" | "mutation"
    text: str  # the operation plus the fragments it uses
    retry_safe: bool = False  # a query, or a mutation in RETRY_SAFE_MUTATIONS


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _spreads(node: object) -> set[str]:
    collector = _SpreadCollector()
    visit(node, collector)  # type: ignore[arg-type]
    return collector.names


@cache
def fragments() -> dict[str, FragmentDefinitionNode]:
    """Every shared fragment by name."""
    found: dict[str, FragmentDefinitionNode] = {}
    for path in _graphql_files(FRAGMENTS_DIR):
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if not isinstance(definition, FragmentDefinitionNode):
                raise ValueError(f"{path.name}: only fragments belong in fragments/")
            if definition.name.value in found:
                raise ValueError(f"fragment {definition.name.value} is defined twice")
            found[definition.name.value] = definition
    return found


def _with_fragments(document: DocumentNode) -> DocumentNode:
    local = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    shared = fragments()
    needed: list[FragmentDefinitionNode] = []
    pending = sorted(_spreads(document) - local)
    seen = set(local)
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if name not in shared:
            raise ValueError(f"unknown fragment {name}")
        needed.append(shared[name])
        pending.extend(sorted(_spreads(shared[name]) - seen))
    return DocumentNode(definitions=(*document.definitions, *needed))


def document_names() -> list[str]:
    return [p.name.removesuffix(".graphql") for p in _graphql_files(DOCUMENTS_DIR)]


@cache
def load_document(name: str) -> Document:
    """The document `documents/<name>.graphql`, parsed once and cached."""
    path = DOCUMENTS_DIR / f"{name}.graphql"
    if not name.replace("_", "").isalnum() or not path.is_file():
        raise UnknownDocument(name)
    document = _with_fragments(parse(path.read_text(encoding="utf-8")))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        raise ValueError(f"{path.name}: needs exactly one named operation")
    operation = operations[0]
    return Document(
        name=name,
        operation_name=operation.name.value,  # type: ignore[union-attr]
        operation_type=operation.operation.value,
        text=print_ast(document),
        retry_safe=operation.operation.value == "query" or name in RETRY_SAFE_MUTATIONS,
    )
