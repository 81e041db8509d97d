from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views
from ops.views import healthz

urlpatterns = [
    # The API first: Django tries the patterns in order, and every API request tried the pages'
    # hundred patterns before its own (~260 Python calls of a case detail's ~5,000). None of
    # those begins with "api/", so every path resolves as before; a page tries one prefix more.
    path("api/v1/", include("config.api_urls")),
    path("", include("casework.urls")),
    path("intake/", include("intake.urls")),
    path("legal/", include("legal_aid.urls")),
    path("reports/", include("reports.urls")),
    path("referrals/", include("referrals.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    # One login for everyone, with the second factor; the admin's own login form would skip it.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; our own icon, from our static files.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("img/favicon.svg"), permanent=True),
        name="favicon",
    ),
]
