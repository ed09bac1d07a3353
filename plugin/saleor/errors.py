"""Typed errors of talking to Saleor's GraphQL API."""

from __future__ import annotations

from typing import Any


class SaleorError(Exception):
    """Base of every failure talking to Saleor."""


class SaleorUnavailable(SaleorError):
    """Network errors, timeouts or 5xx that outlasted the retries: try again later."""


class SaleorOutcomeUnknown(SaleorUnavailable):
    """A mutation was sent and no answer came back (read timeout, 5xx): Saleor may have done it.

    Not repeated blindly; the caller re-reads Saleor (or lets the delivery retry, which does)."""


class SaleorAuthError(SaleorError):
    """HTTP 401/403, or a GraphQL `PermissionDenied`: the token is wrong or lacks a permission."""


class SaleorGraphQLError(SaleorError):
    """The response carried top-level GraphQL `errors` (or a 4xx answer)."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


class SaleorMutationError(SaleorError):
    """A mutation answered with its own `errors` list: each is {field, code, message}."""

    def __init__(self, mutation: str, errors: list[dict[str, Any]]) -> None:
        summary = "; ".join(
            f"{e.get('field') or '-'}: {e.get('code')} ({e.get('message')})" for e in errors
        )
        super().__init__(f"{mutation} failed: {summary}")
        self.mutation = mutation
        self.errors = errors

    @property
    def codes(self) -> set[str]:
        return {str(e.get("code")) for e in self.errors}
