"""Routes of the public partner links, included at the site root by `plugin/urls.py`."""

from django.urls import path

from plugin.affiliates.views import partner_link_view, partner_qr_view

urlpatterns = [
    path("p/<str:code>", partner_link_view, name="partner-link"),
    path("p/<str:code>/qr.<str:kind>", partner_qr_view, name="partner-qr"),
]
