"""The storefront GraphQL endpoint: bounded bodies and queries, rate limits, then graphene.

Before any resolver runs: the body is at most STOREFRONT_MAX_BODY_BYTES, the document parses
within MAX_TOKENS and passes `QueryLimitsRule`, and the caller is within its rate — per shopper
when a valid customer token is sent (a storefront's server may call for all its shoppers from
one address), else per client address (`plugin.client_address`).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, parse, validate

from plugin.api.auth import (
    ApiAuthError,
    Shopper,
    bearer_token,
    caller_key,
    installation_from_header,
    shopper_authenticate,
)
from plugin.api.limits import MAX_TOKENS, QueryLimitsRule
from plugin.api.schema import schema
from plugin.json_input import JsonRefused, json_loads_bounded
from plugin.request_context import request_installation_bind


def _identify(request: HttpRequest) -> None:
    """Set `request.shop` and `request.shopper` (each a value or the ApiAuthError it raised)."""
    try:
        request.shop = installation_from_header(request.headers.get("Saleor-Api-Url"))
    except ApiAuthError as error:
        request.shop = request.shopper = error
        return
    request_installation_bind(request.shop.pk)
    token = bearer_token(request.headers.get("Authorization"))
    try:
        request.shopper = shopper_authenticate(installation=request.shop, token=token)
    except ApiAuthError as error:
        request.shopper = error


def _caller_rate(_group: str, request: HttpRequest) -> str:
    if isinstance(getattr(request, "shopper", None), Shopper):
        return settings.STOREFRONT_RATE_PER_SHOPPER
    return settings.STOREFRONT_RATE_PER_ADDRESS


def _graphql_refusal(status: int, code: str, message: str) -> HttpResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def _bad_request(message: str) -> HttpError:
    """Graphene's own way out of `dispatch`: a 400 with `{"errors": [{"message"}]}`."""
    return HttpError(HttpResponseBadRequest(), message)


def _too_large(request: HttpRequest) -> bool:
    limit = settings.STOREFRONT_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if request.method == "GET":
        return len(request.META.get("QUERY_STRING", "")) > limit
    return declared > limit or len(request.body) > limit


# Storefronts call from their own origin. No cookie or ambient credential is ever read (the
# bearer token is), so any origin may call and CSRF does not apply.
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "authorization, content-type, saleor-api-url",
    "Access-Control-Max-Age": "600",
}


@method_decorator(csrf_exempt, name="dispatch")
class StorefrontGraphQLView(GraphQLView):
    graphiql = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif _too_large(request):
            limit = settings.STOREFRONT_MAX_BODY_BYTES
            response = _graphql_refusal(413, "REQUEST_TOO_LARGE",
                                        f"the request is larger than {limit} bytes")
        else:
            response = self._answer(request, *args, **kwargs)
        for header, value in _CORS.items():
            response[header] = value
        return response

    def _answer(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.get_content_type(request) == "application/json":
            # graphene's own parser lets a RecursionError out as a 500
            try:
                request.storefront_json = json_loads_bounded(request.body)
            except JsonRefused as error:
                return _graphql_refusal(400, "INVALID_BODY", f"the request body {error.reason}")
            if not isinstance(request.storefront_json, dict):
                return _graphql_refusal(400, "INVALID_BODY",
                                        "the request body must be a JSON object")
        _identify(request)
        if is_ratelimited(request, group="api.storefront", key=caller_key,
                          rate=_caller_rate, increment=True):
            response = _graphql_refusal(429, "RATE_LIMITED",
                                        "too many requests; try again in a minute")
            response["Retry-After"] = "60"
            return response
        return super().dispatch(request, *args, **kwargs)

    def parse_body(self, request: HttpRequest) -> Any:
        """The JSON body `_answer` already parsed; other content types as graphene does."""
        parsed = getattr(request, "storefront_json", None)
        if parsed is not None:
            return parsed
        if self.get_content_type(request) == "application/graphql":
            try:
                return {"query": request.body.decode("utf-8")}
            except UnicodeDecodeError as error:
                raise _bad_request("the request body is not UTF-8") from error
        return super().parse_body(request)

    @staticmethod
    def get_graphql_params(request: HttpRequest, data: Any) -> tuple[Any, Any, Any, Any]:
        """Graphene's reading of query, variables and operation name, with their types checked
        (graphene passes a list of variables or a numeric query on, to fail as a 500)."""
        query = request.GET.get("query") or data.get("query")
        variables = request.GET.get("variables") or data.get("variables")
        operation_name = request.GET.get("operationName") or data.get("operationName")
        if query is not None and not isinstance(query, str):
            raise _bad_request("query must be a string")
        if isinstance(variables, str):
            try:
                variables = json_loads_bounded(variables) if variables else None
            except JsonRefused as error:
                raise _bad_request(f"variables {error.reason}") from error
        if variables is not None and not isinstance(variables, dict):
            raise _bad_request("variables must be an object")
        if operation_name == "null":
            operation_name = None
        if operation_name is not None and not isinstance(operation_name, str):
            raise _bad_request("operationName must be a string")
        return query, variables, operation_name, None

    def execute_graphql_request(self, request, data, query, variables, operation_name,
                                show_graphiql=False):
        """Refuses an over-limit query before graphene parses it without bounds, validates it
        with the standard rules (some quadratic in aliases) or runs a resolver."""
        if query:
            try:
                document = parse(query, max_lexical_tokens=MAX_TOKENS, max_comments=MAX_TOKENS)
            except GraphQLError as error:
                return ExecutionResult(data=None, errors=[error])
            refusals = validate(self.schema.graphql_schema, document, [QueryLimitsRule])
            if refusals:
                return ExecutionResult(data=None, errors=refusals)
        return super().execute_graphql_request(request, data, query, variables, operation_name,
                                               show_graphiql)


storefront_graphql_view = StorefrontGraphQLView.as_view(schema=schema)
