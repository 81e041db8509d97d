"""Everything under /api/v1/: each app's router, and sign-in for API tokens."""

from django.urls import include, path

urlpatterns = [
    path("auth/", include("accounts.api_urls")),
    path("", include("casework.api.urls")),
    path("intake/", include("intake.api.urls")),
    path("legal/", include("legal_aid.api.urls")),
    path("referrals/", include("referrals.api.urls")),
]
