"""The dead-letter routes, served under /dashboard/api/ in the dashboard's namespace (joined there
by plugin/urls.py): this page reads the webhooks' inbox, which the dashboard never imports."""

from django.urls import path

from plugin.dead_letters import views

urlpatterns = [
    path("api/dead-letters", views.dead_letters, name="dead-letters"),
    path("api/dead-letters/deliveries/<int:delivery_id>/retry", views.delivery_retry,
         name="dead-letter-delivery-retry"),
    path("api/dead-letters/outbox/<int:item_id>/retry", views.outbox_retry,
         name="dead-letter-outbox-retry"),
]
