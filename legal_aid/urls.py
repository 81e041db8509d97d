from django.urls import path

from . import views

app_name = "legal_aid"

urlpatterns = [
    path("", views.library, name="library"),
    path("documents/<str:code>/", views.document, name="document"),
    path("provisions/<str:label>/", views.provision, name="provision"),
    path("authorities/", views.authorities, name="authorities"),
    path("authorities/<str:label>/", views.authority, name="authority"),
    path("restrictions/", views.restrictions, name="restrictions"),
]
