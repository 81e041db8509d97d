from django.urls import path
from drf_spectacular.utils import extend_schema
from knox import views as knox_views

from .api import TokenCreateView
from .api_auth import LocalTimeTokenAuthentication


@extend_schema(request=None, responses={204: None})
class TokenLogoutView(knox_views.LogoutView):
    """Revoke the token this request carries."""

    authentication_classes = (LocalTimeTokenAuthentication,)


@extend_schema(request=None, responses={204: None})
class TokenLogoutAllView(knox_views.LogoutAllView):
    """Revoke every token of the user (a lost phone, a leaked script)."""

    authentication_classes = (LocalTimeTokenAuthentication,)


urlpatterns = [
    path("token/", TokenCreateView.as_view(), name="api_token"),
    path("token/logout/", TokenLogoutView.as_view(), name="api_token_logout"),
    path("token/logout-all/", TokenLogoutAllView.as_view(), name="api_token_logout_all"),
]
