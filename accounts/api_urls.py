from django.urls import path
from knox import views as knox_views

from .api import TokenCreateView

urlpatterns = [
    path("token/", TokenCreateView.as_view(), name="api_token"),
    path("token/logout/", knox_views.LogoutView.as_view(), name="api_token_logout"),
    path("token/logout-all/", knox_views.LogoutAllView.as_view(), name="api_token_logout_all"),
]
