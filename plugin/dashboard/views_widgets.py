"""The cards the app adds to Saleor's customer and order pages (WIDGET extensions).

Saleor's dashboard opens a card either by POSTing a form into its frame (`accessToken`,
`saleorApiUrl`, `appId` and the page's `customerId` / `orderId`) or by loading it with the App
Bridge handshake, like the app page. Either way the card's data comes from the JSON endpoints
below, which check the token exactly as every other dashboard endpoint does.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from plugin.dashboard import selectors_widgets
from plugin.dashboard.auth import dashboard_api
from plugin.dashboard.http import BadRequest
from plugin.dashboard.permissions import CUSTOMER_DATA, ORDER_DATA
from plugin.dashboard.views_page import page_config, secure_page

# kind → (the form field / query parameter Saleor names the page's object with, card title)
WIDGETS = {"customer": ("customerId", "Referrals"), "order": ("orderId", "Referrals")}
MAX_ID = 256


# Saleor's dashboard posts the form from its own origin; the token is verified on every API call.
@csrf_exempt
def widget_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in WIDGETS:
        return HttpResponse(status=404)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    params = request.POST if request.method == "POST" else request.GET
    id_field, title = WIDGETS[kind]
    config = {**page_config(request), "kind": kind,
              "entityId": params.get(id_field, "")[:MAX_ID],
              "saleorApiUrl": params.get("saleorApiUrl", "")[:MAX_ID]}
    if request.method == "POST" and params.get("accessToken"):
        # The page uses it as it uses a handshake's token: every API call checks it.
        config["token"] = params["accessToken"]
    theme = "dark" if params.get("theme") == "dark" else "light"
    response = render(request, "dashboard/widget.html",
                      {"config": config, "theme": theme, "title": title})
    return secure_page(response)


def _object_id(request: HttpRequest) -> str:
    value = request.GET.get("id", "").strip()
    if not value or len(value) > MAX_ID:
        raise BadRequest("id: the Saleor id of the customer or order is required")
    return value


# A card names the customer, whom they referred and what they earned: customer data.
@dashboard_api(methods=["GET"], permissions=CUSTOMER_DATA)
def customer_widget(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse(selectors_widgets.customer_card(installation=installation,
                                                        customer_id=_object_id(request)))


@dashboard_api(methods=["GET"], permissions=(*ORDER_DATA, *CUSTOMER_DATA))
def order_widget(request: HttpRequest, *, installation, user) -> JsonResponse:
    return JsonResponse(selectors_widgets.order_card(installation=installation,
                                                     order_id=_object_id(request)))
