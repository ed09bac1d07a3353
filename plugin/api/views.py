"""The storefront GraphQL endpoint: finds the shop and shopper once per request, then graphene."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
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


def _identify(request: HttpRequest) -> None:
    """Set `request.shop` and `request.shopper` (each a value or the ApiAuthError it raised)."""
    try:
        request.shop = installation_from_header(request.headers.get("Saleor-Api-Url"))
    except ApiAuthError as error:
        request.shop = request.shopper = error
        return
    token = bearer_token(request.headers.get("Authorization"))
    try:
        request.shopper = shopper_authenticate(installation=request.shop, token=token)
    except ApiAuthError as error:
        request.shopper = error


# Cookies are never used for identity here (a bearer token is), so CSRF does not apply.
@method_decorator(csrf_exempt, name="dispatch")
class StorefrontGraphQLView(GraphQLView):
    graphiql = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        _identify(request)
        return super().dispatch(request, *args, **kwargs)


storefront_graphql_view = StorefrontGraphQLView.as_view(schema=schema)
