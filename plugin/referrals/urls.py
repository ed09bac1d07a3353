"""Routes of the public referral links, included at the site root by `plugin/urls.py`."""

from django.urls import path

from plugin.referrals.views import referral_link_view, referral_qr_view

urlpatterns = [
    path("r/<str:code>", referral_link_view, name="referral-link"),
    path("r/<str:code>/qr.<str:kind>", referral_qr_view, name="referral-qr"),
]
