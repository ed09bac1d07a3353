"""URL routes of the app: install, webhooks, dashboard, storefront API."""

from django.urls import include, path

from plugin.api.views import storefront_graphql_view
from plugin.dashboard import urls as dashboard_urls
from plugin.dashboard.views_page import dashboard_page
from plugin.dead_letters import urls as dead_letter_urls
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
    # One namespace for the dashboard's own routes and the dead letters' (which read the
    # webhooks' inbox, so they live in a package above both).
    path("dashboard/", include(([*dashboard_urls.urlpatterns, *dead_letter_urls.urlpatterns],
                                dashboard_urls.app_name))),
    path("api/graphql/", storefront_graphql_view, name="storefront-graphql"),
    path("", include("plugin.referrals.urls")),
    path("", include("plugin.playbook.urls")),
    path("", include("plugin.affiliates.urls")),
]
