"""URL routes of the app: install, webhooks, dashboard, storefront API."""

from django.urls import include, path

from plugin.api.views import storefront_graphql_view
from plugin.dashboard.views_page import dashboard_page
from plugin.health import healthz
from plugin.install.views import manifest_view, register_view
from plugin.webhooks.views import webhook_receive

urlpatterns: list = [
    path("healthz", healthz, name="healthz"),
    path("api/manifest", manifest_view, name="manifest"),
    path("api/register", register_view, name="register"),
    path("api/webhooks/<slug:family>", webhook_receive, name="webhook"),
    # The dashboard joins the extension's "/" to appUrl as `…/dashboard?…`: served as it is,
    # without a redirect to the slashed URL on every opening.
    path("dashboard", dashboard_page, name="dashboard-page"),
    path("dashboard/", include("plugin.dashboard.urls")),
    path("api/graphql/", storefront_graphql_view, name="storefront-graphql"),
    path("", include("plugin.referrals.urls")),
    path("", include("plugin.playbook.urls")),
    path("", include("plugin.affiliates.urls")),
]
