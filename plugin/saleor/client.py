"""A small synchronous client for Saleor's GraphQL API: named documents, retries, typed errors.

Retries with exponential backoff only on network errors, timeouts and 5xx; never on 4xx or
GraphQL errors, which a second try would not fix. Only what a repeat cannot double is resent
after an answer was lost: queries and the mutations `documents.RETRY_SAFE_MUTATIONS` names. Any
request that never reached Saleor (connection refused, connect timeout) may be sent again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from plugin.saleor.documents import load_document
from plugin.saleor.errors import (
    SaleorAuthError,
    SaleorError,
    SaleorGraphQLError,
    SaleorMutationError,
    SaleorOutcomeUnknown,
    SaleorUnavailable,
)

__all__ = [
    "PartialAnswer",
    "SaleorAuthError",
    "SaleorClient",
    "SaleorError",
    "SaleorGraphQLError",
    "SaleorMutationError",
    "SaleorOutcomeUnknown",
    "SaleorUnavailable",
]

logger = logging.getLogger(__name__)

USER_AGENT = "saleor-referrals"
_PERMISSION_CODES = {"PermissionDenied", "PERMISSION_DENIED"}
_AUTH_CODES = _PERMISSION_CODES | {
    "InvalidTokenError",
    "ExpiredSignatureError",
    "JSONWebTokenError",
}


def _error_code(error: dict[str, Any]) -> str | None:
    extensions = error.get("extensions") or {}
    exception = extensions.get("exception") or {}
    return exception.get("code") or extensions.get("code")


def normalise_mutation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every mutation error as {field, code, message}; bulk mutations say `path` for `field`."""
    return [
        {
            "field": e.get("field", e.get("path")),
            "code": e.get("code"),
            "message": e.get("message"),
            **{k: v for k, v in e.items() if k not in {"field", "path", "code", "message"}},
        }
        for e in errors
    ]


@dataclass(frozen=True)
class PartialAnswer:
    """Saleor's `data` with the `errors` of the parts it could not resolve (GraphQL answers
    those parts with null and says why, each error with the `path` of its part)."""

    data: dict[str, Any]
    errors: list[dict[str, Any]]


def error_messages(errors: list[dict[str, Any]]) -> str:
    return "; ".join(str(e.get("message")) for e in errors)


class SaleorClient:
    """Sends the app's documents to one Saleor API URL as `Authorization: Bearer <token>`."""

    def __init__(
        self,
        api_url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url
        self.retries = max(0, retries)
        self.backoff = backoff
        self._sleep = sleep
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            transport=transport, timeout=timeout, headers=headers, follow_redirects=False
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SaleorClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _post(self, body: dict[str, Any], operation: str, *, retry_safe: bool) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._http.post(self.api_url, json=body)
            except httpx.TransportError as exc:  # connect/read errors and timeouts
                failure = f"{type(exc).__name__}"
                # Refused or never connected: Saleor did not see the request, a resend is safe.
                reached = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            else:
                if response.status_code < 500:
                    return response
                failure, reached = f"HTTP {response.status_code}", True
            if reached and not retry_safe:
                raise SaleorOutcomeUnknown(
                    f"{operation}: Saleor at {self.api_url} unavailable after the request was "
                    f"sent ({failure}); not repeated, as a repeat could do it twice"
                )
            if attempt >= self.retries:
                raise SaleorUnavailable(
                    f"{operation}: Saleor at {self.api_url} unavailable after "
                    f"{attempt + 1} attempt(s): {failure}"
                )
            delay = self.backoff * (2**attempt)
            logger.warning("%s: %s, retrying in %.2fs", operation, failure, delay)
            self._sleep(delay)
            attempt += 1

    def _answer(self, document_name: str, variables: dict[str, Any] | None) -> tuple[str, dict]:
        """(operation name, the JSON answer) of one document; refusals raise."""
        document = load_document(document_name)
        body = {
            "query": document.text,
            "operationName": document.operation_name,
            "variables": variables or {},
        }
        operation = document.operation_name
        response = self._post(body, operation, retry_safe=document.retry_safe)
        if response.status_code in (401, 403):
            raise SaleorAuthError(f"{operation}: HTTP {response.status_code} from Saleor")
        try:
            payload = response.json()
        except ValueError as exc:
            raise SaleorGraphQLError(
                f"{operation}: HTTP {response.status_code}, not JSON", []
            ) from exc
        if not isinstance(payload, dict):
            raise SaleorGraphQLError(f"{operation}: unexpected response", [])
        errors = payload.get("errors") or []
        if {_error_code(e) for e in errors} & _AUTH_CODES:
            raise SaleorAuthError(f"{operation}: {error_messages(errors)}")
        if response.status_code >= 400 and not errors:
            raise SaleorGraphQLError(f"{operation}: HTTP {response.status_code} from Saleor", [])
        return operation, payload

    def execute(
        self, document_name: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Runs `documents/<document_name>.graphql`; returns the response's `data`."""
        operation, payload = self._answer(document_name, variables)
        errors = payload.get("errors") or []
        if errors:
            raise SaleorGraphQLError(f"{operation}: {error_messages(errors)}", errors)
        data = payload.get("data")
        if not isinstance(data, dict):
            raise SaleorGraphQLError(f"{operation}: response has no data", [])
        return data

    def execute_partial(
        self, document_name: str, variables: dict[str, Any] | None = None
    ) -> PartialAnswer:
        """Runs a query whose answer may be partial: the data Saleor could give, with the errors
        of the parts it could not. Raises like `execute` when no data came back at all."""
        operation, payload = self._answer(document_name, variables)
        errors = payload.get("errors") or []
        data = payload.get("data")
        if not isinstance(data, dict) or not any(v is not None for v in data.values()):
            if errors:
                raise SaleorGraphQLError(f"{operation}: {error_messages(errors)}", errors)
            raise SaleorGraphQLError(f"{operation}: response has no data", [])
        return PartialAnswer(data=data, errors=errors)

    def execute_mutation(
        self, document_name: str, variables: dict[str, Any] | None, result_field: str
    ) -> dict[str, Any]:
        """Runs a mutation; returns `data[result_field]`, raising on its own `errors` list."""
        data = self.execute(document_name, variables)
        result = data.get(result_field)
        if not isinstance(result, dict):
            raise SaleorError(f"{document_name}: no {result_field!r} in the response")
        errors = result.get("errors") or []
        if errors:
            normalised = normalise_mutation_errors(errors)
            if any(e.get("code") in _PERMISSION_CODES for e in normalised):
                raise SaleorAuthError(f"{result_field}: permission denied")
            raise SaleorMutationError(result_field, normalised)
        return result
