"""Public routes of the playbook, included at the site root by `plugin/urls.py`."""

from django.urls import path

from plugin.playbook.views import unsubscribe_view

urlpatterns = [
    path("u/<str:token>", unsubscribe_view, name="unsubscribe"),
]
