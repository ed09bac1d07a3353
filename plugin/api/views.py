"""The storefront GraphQL endpoint: finds the shop and shopper once per request, then graphene."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView

from plugin.api.auth import (
    ApiAuthError,
    bearer_token,
    installation_from_header,
    shopper_authenticate,
)
from plugin.api.schema import schema
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
        else:
            _identify(request)
            response = super().dispatch(request, *args, **kwargs)
        for header, value in _CORS.items():
            response[header] = value
        return response


storefront_graphql_view = StorefrontGraphQLView.as_view(schema=schema)
