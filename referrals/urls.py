from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<uuid:provider_id>/", views.provider_detail, name="provider_detail"),
    path("providers/<uuid:provider_id>/edit/", views.provider_edit, name="provider_edit"),
    path("cases/<str:case_ref>/refer/", views.referral_create, name="referral_create"),
    path("<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("<uuid:referral_id>/status/", views.referral_status, name="referral_status"),
    path("<uuid:referral_id>/sheet/", views.referral_sheet_page, name="referral_sheet"),
    path("<uuid:referral_id>/sheet.pdf", views.referral_sheet_pdf, name="referral_sheet_pdf"),
]
