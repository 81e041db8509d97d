from django.urls import path

from ..views import audit, browse, summary

urlpatterns = [
    path("", browse.dashboard, name="dashboard"),
    path("cases/", browse.case_list, name="case_list"),
    path("cases/<str:case_ref>/", browse.case_detail, name="case_detail"),
    path("cases/<str:case_ref>/audit/", audit.case_audit, name="case_audit"),
    path("cases/<str:case_ref>/summary/", summary.case_summary_page, name="case_summary"),
    path(
        "cases/<str:case_ref>/attachments/<uuid:attachment_id>/download",
        browse.attachment_download,
        name="attachment_download",
    ),
    path("people/<str:person_ref>/", browse.person_detail, name="person_detail"),
    path("people/<str:person_ref>/household/", browse.household, name="household"),
]
