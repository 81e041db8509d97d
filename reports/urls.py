from django.urls import path
from django.views.generic import RedirectView

app_name = "reports"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="casework:dashboard"), name="index"),
]
