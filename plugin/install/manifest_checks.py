"""The checks Saleor applies to an app manifest (as observed with `appFetchManifest`), plus ours.

`saleor_manifest_problems` reproduces Saleor 3.24's answers (field, code, message) so the
manifest is known to install before any Saleor sees it; `app_manifest_problems` adds what this
app promises on top (each webhook's query is about its own event, APP_PAGE URLs are paths, every
extension sits on a mount the dashboard shows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    parse,
    validate,
)

# Saleor accepts any mount string and stores it; the dashboard (3.23) shows only these. A mount
# outside them installs without error and is never seen by a merchant.
DASHBOARD_SIDEBAR_MOUNTS = frozenset({
    "NAVIGATION_CATALOG", "NAVIGATION_ORDERS", "NAVIGATION_CUSTOMERS", "NAVIGATION_DISCOUNTS",
    "NAVIGATION_TRANSLATIONS", "NAVIGATION_PAGES",
})
DASHBOARD_WIDGET_MOUNTS = frozenset({
    "ORDER_DETAILS_WIDGETS", "DRAFT_ORDER_DETAILS_WIDGETS", "CUSTOMER_DETAILS_WIDGETS",
    "PRODUCT_DETAILS_WIDGETS", "VOUCHER_DETAILS_WIDGETS", "GIFT_CARD_DETAILS_WIDGETS",
    "COLLECTION_DETAILS_WIDGETS", "HOMEPAGE_WIDGETS",
})
_PAGE_MOUNTS = frozenset({
    f"{subject}_{place}"
    for subject in ("ORDER", "DRAFT_ORDER", "CUSTOMER", "PRODUCT", "VOUCHER", "DISCOUNT",
                    "GIFT_CARD", "CATEGORY", "COLLECTION", "MENU", "PAGE", "PAGE_TYPE")
    for place in ("DETAILS_MORE_ACTIONS", "OVERVIEW_CREATE", "OVERVIEW_MORE_ACTIONS")
})
DASHBOARD_RENDERED_MOUNTS = (
    DASHBOARD_SIDEBAR_MOUNTS | DASHBOARD_WIDGET_MOUNTS | _PAGE_MOUNTS
    | {"TRANSLATIONS_MORE_ACTIONS", "SEARCH_ACTION"}
)


@dataclass(frozen=True)
class ManifestProblem:
    field: str
    code: str
    message: str


def _enum_values(schema: GraphQLSchema, name: str) -> set[str]:
    enum = schema.get_type(name)
    assert isinstance(enum, GraphQLEnumType), name
    return set(enum.values)


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _query_problem(schema: GraphQLSchema, query: str) -> str | None:
    try:
        document = parse(query)
    except GraphQLSyntaxError as error:
        return error.message
    errors = validate(schema, document)
    # Saleor's GraphQL library quotes names with " where graphql-core 3 uses '.
    return errors[0].message.replace("'", '"') if errors else None


def _webhook_problems(
    schema: GraphQLSchema, webhooks: list[dict[str, Any]]
) -> list[ManifestProblem]:
    async_events = _enum_values(schema, "WebhookEventTypeAsyncEnum")
    for webhook in webhooks:
        if not all(webhook.get(key) for key in ("name", "targetUrl", "query")):
            return [ManifestProblem("webhooks", "REQUIRED", "Field required")]
        if any(event not in async_events for event in webhook.get("asyncEvents", [])):
            return [ManifestProblem("webhooks", "INVALID", "Invalid asynchronous event.")]
        message = _query_problem(schema, webhook["query"])
        if message:
            message = f"Subscription query is not valid: {message}"
            return [ManifestProblem("webhooks", "INVALID", message)]
    return []


def saleor_manifest_problems(
    manifest: dict[str, Any], *, schema: GraphQLSchema
) -> list[ManifestProblem]:
    """What Saleor's `appFetchManifest` would answer under `errors` (first failing rule)."""
    for field in ("id", "version", "name"):
        if not manifest.get(field):
            return [ManifestProblem(field, "REQUIRED", "Field required")]
    if "tokenTargetUrl" in manifest and not _is_url(manifest["tokenTargetUrl"]):
        return [ManifestProblem("tokenTargetUrl", "INVALID_URL_FORMAT", "Invalid target url.")]
    permissions = set(manifest.get("permissions") or [])
    if permissions - _enum_values(schema, "PermissionEnum"):
        return [
            ManifestProblem("permissions", "INVALID_PERMISSION", "Given permissions don't exist.")
        ]
    problems = _webhook_problems(schema, manifest.get("webhooks") or [])
    if problems:
        return problems
    for extension in manifest.get("extensions") or []:
        if set(extension.get("permissions") or []) - permissions:
            return [
                ManifestProblem(
                    "extensions",
                    "OUT_OF_SCOPE_PERMISSION",
                    "Extension permission must be listed in App's permissions.",
                )
            ]
    return []


def _pascal_event(event: str) -> str:
    return "".join(part.capitalize() for part in event.split("_"))


def _subscribed_types(query: str) -> set[str]:
    """The event types a subscription's `event { ... on X }` selects."""
    document = parse(query)
    types: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for field in definition.selection_set.selections:
                selection_set = getattr(field, "selection_set", None)
                for selection in selection_set.selections if selection_set else []:
                    if isinstance(selection, InlineFragmentNode) and selection.type_condition:
                        types.add(selection.type_condition.name.value)
    return types


def _top_fields(query: str) -> set[str]:
    """`event.<field>` for each field selected directly on the event (fragments not followed)."""
    fields: set[str] = set()
    for definition in parse(query).definitions:
        if isinstance(definition, OperationDefinitionNode):
            for field in definition.selection_set.selections:
                selection_set = getattr(field, "selection_set", None)
                for selection in selection_set.selections if selection_set else []:
                    if isinstance(selection, FieldNode):
                        fields.add(f"event.{selection.name.value}")
    return fields


def _extension_problems(extension: dict[str, Any]) -> list[ManifestProblem]:
    """Where the dashboard would show the extension, and whether it can show it there."""
    problems = []
    mount, target = str(extension.get("mount", "")), extension.get("target")
    if mount not in DASHBOARD_RENDERED_MOUNTS:
        problems.append(
            ManifestProblem("extensions", "APP", f"{mount}: the dashboard never shows this mount")
        )
    if target == "WIDGET" and mount not in DASHBOARD_WIDGET_MOUNTS:
        problems.append(
            ManifestProblem("extensions", "APP", f"{mount}: a WIDGET goes on a *_WIDGETS mount")
        )
    if target == "APP_PAGE" and not str(extension.get("url", "")).startswith("/"):
        problems.append(ManifestProblem("extensions", "APP", "APP_PAGE url must be a path"))
    return problems


def app_manifest_problems(
    manifest: dict[str, Any], *, schema: GraphQLSchema
) -> list[ManifestProblem]:
    """Saleor's checks, then this app's: one event per webhook, asked about in its own query."""
    problems = saleor_manifest_problems(manifest, schema=schema)
    for webhook in manifest.get("webhooks") or []:
        events = webhook.get("asyncEvents") or []
        if len(events) != 1:
            problems.append(ManifestProblem("webhooks", "APP", f"{webhook['name']}: one event"))
            continue
        if "event.__typename" not in _top_fields(webhook["query"]):
            problems.append(
                ManifestProblem("webhooks", "APP", f"{webhook['name']}: ask for __typename")
            )
        if _pascal_event(events[0]) not in _subscribed_types(webhook["query"]):
            problems.append(
                ManifestProblem("webhooks", "APP", f"{webhook['name']}: query skips {events[0]}")
            )
    for extension in manifest.get("extensions") or []:
        problems.extend(_extension_problems(extension))
    if not re.fullmatch(r"[a-z0-9.\-]+", str(manifest.get("id", ""))):
        problems.append(ManifestProblem("id", "APP", "id must be a lower-case dotted name"))
    return problems
