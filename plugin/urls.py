"""URL routes of the app: install, webhooks, dashboard, storefront API."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
