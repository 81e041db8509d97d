from django.urls import path

from . import views, views_documents

app_name = "legal_aid"

urlpatterns = [
    path("", views.library, name="library"),
    path("documents/<str:code>/", views.document, name="document"),
    path("provisions/<str:label>/", views.provision, name="provision"),
    path("authorities/", views.authorities, name="authorities"),
    path("authorities/<str:label>/", views.authority, name="authority"),
    path("restrictions/", views.restrictions, name="restrictions"),
    # Advocacy documents ("documents/" is the library's papers).
    path("advocacy/", views_documents.document_list, name="advocacy_list"),
    path(
        "advocacy/caseload-report/new/",
        views_documents.caseload_report_new,
        name="advocacy_caseload_new",
    ),
    path(
        "cases/<str:case_ref>/advocacy/new/",
        views_documents.document_new_for_case,
        name="advocacy_new",
    ),
    path("advocacy/<uuid:document_id>/", views_documents.document_detail, name="advocacy_detail"),
    path(
        "advocacy/<uuid:document_id>/approve/",
        views_documents.document_approve,
        name="advocacy_approve",
    ),
    path(
        "advocacy/<uuid:document_id>/regenerate/",
        views_documents.document_regenerate,
        name="advocacy_regenerate",
    ),
    path(
        "advocacy/<uuid:document_id>/retry/",
        views_documents.document_retry,
        name="advocacy_retry",
    ),
    path(
        "advocacy/<uuid:document_id>/pages/<int:page>.png",
        views_documents.document_preview_page,
        name="advocacy_page",
    ),
    path(
        "advocacy/<uuid:document_id>/download/",
        views_documents.document_download,
        name="advocacy_download",
    ),
    path(
        "advocacy/<uuid:document_id>/download/docx/",
        views_documents.document_download,
        {"file_format": "docx"},
        name="advocacy_download_docx",
    ),
]
