"""A stand-in Saleor for tests, built on `httpx.MockTransport` and the captured data.

It serves the captured JWKS, answers GraphQL by operation name (handlers a test registers
first, then canned answers from the captures), records every request, and can fail the next
N calls with a 5xx, a timeout or a network error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from graphql import GraphQLError, OperationDefinitionNode, parse

from plugin.saleor import canned
from plugin.saleor.captures import captured_jwks
from plugin.saleor.client import SaleorClient
from plugin.saleor.projection import project_data
from plugin.saleor.testing import DEFAULT_SALEOR_API_URL

Handler = Callable[[dict[str, Any]], "dict[str, Any] | httpx.Response"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    url: str
    headers: dict[str, str]
    operation_name: str | None = None
    operation_type: str | None = None  # "query" | "mutation"
    variables: dict[str, Any] = field(default_factory=dict)
    query: str = ""


@dataclass
class _Failure:
    remaining: int
    kind: str  # "status" | "timeout" | "network"
    status: int
    operation: str | None


def _pascal(name: str) -> str:
    """`order_get` → `OrderGet`; an operation name stays as it is."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_")) if "_" in name else (
        name[:1].upper() + name[1:]
    )


class FakeSaleor:
    """One fake Saleor at `api_url`; hand `.transport` (or `.client()`) to the code under test."""

    def __init__(
        self,
        *,
        api_url: str = DEFAULT_SALEOR_API_URL,
        jwks: dict[str, Any] | None = None,
        canned_answers: bool = True,
    ) -> None:
        self.api_url = api_url
        self.jwks = jwks if jwks is not None else captured_jwks()
        self.requests: list[RecordedRequest] = []
        self._handlers: dict[str, Handler] = {}
        self._failures: list[_Failure] = []
        self._canned = canned_answers
        self.transport = httpx.MockTransport(self._handle)
        self._api_path = urlsplit(api_url).path or "/"
        self._jwks_path = self._api_path.rsplit("graphql/", 1)[0] + ".well-known/jwks.json"

    # --- set-up -------------------------------------------------------------------------
    def on(
        self,
        operation: str,
        handler: Handler | None = None,
        *,
        data: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        """Answer `operation` (`OrderGet` or the document name `order_get`).

        Either a `handler(variables) -> data dict | httpx.Response`, or a fixed `data` and/or
        top-level GraphQL `errors`.
        """
        if handler is None:
            fixed_data, fixed_errors = data, errors

            def handler(_variables: dict[str, Any]) -> dict[str, Any] | httpx.Response:
                body: dict[str, Any] = {"data": fixed_data}
                if fixed_errors:
                    body["errors"] = fixed_errors
                return httpx.Response(200, json=body)

        self._handlers[_pascal(operation)] = handler

    def fail_next(
        self,
        count: int,
        *,
        status: int = 503,
        timeout: bool = False,
        network: bool = False,
        lost_answer: bool = False,
        operation: str | None = None,
    ) -> None:
        """The next `count` matching requests fail (5xx by default, or timeout/network error).

        `lost_answer`: Saleor does the work, then the answer never arrives (a read timeout)."""
        kind = (
            "lost" if lost_answer else "timeout" if timeout else "network" if network else "status"
        )
        self._failures.append(
            _Failure(count, kind, status, _pascal(operation) if operation else None)
        )

    def recover(self) -> None:
        """Failures still planned by `fail_next` are dropped: Saleor answers normally again."""
        self._failures.clear()

    def client(self, token: str | None = "app-token", **options: Any) -> SaleorClient:
        """A `SaleorClient` wired to this fake, with no real sleeping between retries."""
        options.setdefault("sleep", lambda _seconds: None)
        return SaleorClient(self.api_url, token, transport=self.transport, **options)

    def http(self) -> httpx.Client:
        """A plain httpx client on this fake (for the JWKS fetch)."""
        return httpx.Client(transport=self.transport)

    # --- what happened --------------------------------------------------------------------
    def calls(self, operation: str | None = None) -> list[RecordedRequest]:
        """GraphQL requests, all or of one operation."""
        graphql = [r for r in self.requests if r.operation_name is not None]
        if operation is None:
            return graphql
        return [r for r in graphql if r.operation_name == _pascal(operation)]

    def mutations(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation_type == "mutation"]

    # --- serving --------------------------------------------------------------------------
    def _failure_for(self, operation: str | None) -> _Failure | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.operation in (None, operation):
                failure.remaining -= 1
                return failure
        return None

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == self._jwks_path:
            self.requests.append(RecordedRequest("GET", str(request.url), dict(request.headers)))
            failure = self._failure_for(None)
            return self._fail(failure, request) if failure else httpx.Response(200, json=self.jwks)
        if request.method != "POST" or path != self._api_path:
            self.requests.append(
                RecordedRequest(request.method, str(request.url), dict(request.headers))
            )
            return httpx.Response(404, json={"detail": "not found"})
        return self._graphql(request)

    def _graphql(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
            document = parse(body["query"])
        except (ValueError, KeyError, TypeError, GraphQLError) as exc:
            self.requests.append(RecordedRequest("POST", str(request.url), dict(request.headers)))
            return httpx.Response(400, json={"errors": [{"message": f"bad request: {exc}"}]})
        operation = next(
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        )
        name = body.get("operationName") or (operation.name.value if operation.name else "")
        variables = body.get("variables") or {}
        self.requests.append(
            RecordedRequest(
                "POST",
                str(request.url),
                dict(request.headers),
                operation_name=name,
                operation_type=operation.operation.value,
                variables=variables,
                query=body["query"],
            )
        )
        failure = self._failure_for(name)
        if failure and failure.kind != "lost":
            return self._fail(failure, request)
        answer = self._answer(name, variables, document)
        if failure:  # the work is done (a handler's state changed), the answer is lost
            raise httpx.ReadTimeout("simulated timeout after Saleor did the work", request=request)
        return answer

    def _answer(self, name: str, variables: dict[str, Any], document: Any) -> httpx.Response:
        if name in self._handlers:
            answer = self._handlers[name](variables)
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(200, json={"data": project_data(answer, document)})
        if self._canned and (data := canned.answer(name, variables)) is not None:
            return httpx.Response(200, json={"data": project_data(data, document)})
        message = f"FakeSaleor has no answer for operation {name!r}; register one with .on()"
        return httpx.Response(200, json={"errors": [{"message": message}], "data": None})

    @staticmethod
    def _fail(failure: _Failure, request: httpx.Request) -> httpx.Response:
        if failure.kind in ("timeout", "lost"):
            raise httpx.ReadTimeout("simulated timeout", request=request)
        if failure.kind == "network":
            raise httpx.ConnectError("simulated connection refused", request=request)
        return httpx.Response(failure.status, text="simulated failure")

