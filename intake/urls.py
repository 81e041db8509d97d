from django.urls import path

from . import import_views, views

app_name = "intake"

urlpatterns = [
    path("", views.intake_list, name="start"),
    path("new/", views.intake_new, name="new"),
    path("queue/", views.decision_queue, name="queue"),
    path(
        "queue/matches/<int:candidate_id>/verdict/",
        views.duplicate_verdict,
        name="duplicate_verdict",
    ),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/template.csv", import_views.import_template, name="import_template"),
    path("imports/<str:batch_ref>/", import_views.import_detail, name="import_detail"),
    path("imports/<str:batch_ref>/import/", import_views.import_start, name="import_start"),
    path("imports/<str:batch_ref>/stop/", import_views.import_stop, name="import_stop"),
    path("imports/<str:batch_ref>/reading/", import_views.import_reading, name="import_reading"),
    path("imports/<str:batch_ref>/discard/", import_views.import_discard, name="import_discard"),
    path("<str:intake_ref>/", views.intake_detail, name="detail"),
    path("<str:intake_ref>/review/", views.intake_review, name="review"),
    path("<str:intake_ref>/discard/", views.intake_discard, name="discard"),
    path("<str:intake_ref>/approve/", views.intake_approve, name="approve"),
    path("<str:intake_ref>/reject/", views.intake_reject, name="reject"),
    path("<str:intake_ref>/send-back/", views.intake_send_back, name="send_back"),
    path("<str:intake_ref>/merge/", views.intake_merge, name="merge"),
    path("<str:intake_ref>/steps/<str:step>/", views.intake_step, name="step"),
    path(
        "people/<str:person_ref>/consent/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]
